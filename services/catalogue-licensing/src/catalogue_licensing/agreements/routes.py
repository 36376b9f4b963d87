"""HTTP routes of agreements, the counties' participation in them, and their cost shares."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalogue_licensing.agreements import service
from catalogue_licensing.agreements.models import Agreement, Participation
from catalogue_licensing.agreements.schemas import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    CostShareOut,
    CostSharesOut,
    CountyNumber,
    ParticipationIn,
    ParticipationList,
    ParticipationOut,
)
from catalogue_licensing.agreements.split import SplitKey
from catalogue_licensing.audit.service import request_id_of
from catalogue_licensing.directory.models import County
from catalogue_licensing.idempotent import IdempotencyDep
from catalogue_licensing.pages import cut_page, id_after
from chassis.auth import Principal
from chassis.concurrency import etag, require_if_match
from chassis.pagination import Page, PageParamsDep
from chassis.policy import PrincipalDep
from chassis.problems import ProblemError, problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["agreements"])

AgreementId = Annotated[uuid.UUID, PathParam(description="The agreement's id")]
CountyPath = Annotated[CountyNumber, PathParam(description="The county's number, e.g. 03")]


async def _agreement(agreement_id: AgreementId, session: SessionDep) -> Agreement:
    return await service.load_agreement(session, agreement_id)


AgreementDep = Annotated[Agreement, Depends(_agreement)]


def _is_programme_admin(principal: Principal) -> bool:
    return "programme_admin" in principal.roles


def _agreement_out(agreement: Agreement, counties: list[str]) -> AgreementOut:
    return AgreementOut(
        id=agreement.id,
        product_id=agreement.product_id,
        period_start=agreement.period_start,
        period_end=agreement.period_end,
        yearly_price_minor=agreement.yearly_price_minor,
        currency=agreement.currency,
        terms=agreement.terms,
        split_key=SplitKey(agreement.split_key),
        weights=agreement.weights,
        participating_counties=counties,
        version=agreement.version,
        created_by=agreement.created_by,
        created_at=agreement.created_at,
        updated_at=agreement.updated_at,
    )


async def _agreement_response(
    session: SessionDep, agreement: Agreement, *, status_code: int = 200
) -> JSONResponse:
    counties = (await service.participating_counties(session, [agreement.id]))[agreement.id]
    headers = {"ETag": etag(agreement.version)}
    if status_code == 201:
        headers["Location"] = f"/v1/agreements/{agreement.id}"
    return JSONResponse(
        _agreement_out(agreement, counties).model_dump(mode="json"),
        status_code=status_code,
        headers=headers,
    )


@router.post(
    "/v1/agreements",
    status_code=201,
    summary="Make an agreement for a product",
    description="Send `Idempotency-Key` to make a retry safe: a replay returns the first answer.",
    response_model=AgreementOut,
    responses=problem_responses(409),
)
async def create_agreement(
    request: Request,
    body: AgreementIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    agreement = await service.create_agreement(
        session, body=body, principal=principal, request_id=request_id_of(request)
    )
    return await idem.remember(await _agreement_response(session, agreement, status_code=201))


@router.get(
    "/v1/agreements",
    summary="List agreements, oldest first",
    response_model=Page[AgreementOut],
)
async def list_agreements(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageParamsDep,
    product_id: Annotated[uuid.UUID | None, Query(description="Only this product's")] = None,
    current_on: Annotated[
        date | None, Query(description="Only agreements whose period includes this day")
    ] = None,
) -> Page[AgreementOut]:
    # uuid7 ids grow with time: ordering by id is oldest first and stable.
    query = select(Agreement).order_by(Agreement.id).limit(page.limit + 1)
    if (after := id_after(page)) is not None:
        query = query.where(Agreement.id > after)
    if product_id is not None:
        query = query.where(Agreement.product_id == product_id)
    if current_on is not None:
        query = query.where(
            Agreement.period_start <= current_on, Agreement.period_end >= current_on
        )
    agreements, next_cursor = cut_page(
        request,
        response,
        (await session.scalars(query)).all(),
        page=page,
        key=lambda a: [str(a.id)],
    )
    counties = await service.participating_counties(session, [a.id for a in agreements])
    return Page[AgreementOut](
        items=[_agreement_out(a, counties[a.id]) for a in agreements], next_cursor=next_cursor
    )


@router.get(
    "/v1/agreements/{agreement_id}",
    summary="Read an agreement",
    response_model=AgreementOut,
    responses=problem_responses(404),
)
async def get_agreement(session: SessionDep, agreement: AgreementDep) -> JSONResponse:
    return await _agreement_response(session, agreement)


@router.patch(
    "/v1/agreements/{agreement_id}",
    summary="Change an agreement's period, price, terms or split",
    description="Needs `If-Match` with the agreement's ETag. A change to what the counties pay "
    "recomputes the cost shares in the same transaction.",
    response_model=AgreementOut,
    responses=problem_responses(404, 409, 412, 428),
)
async def update_agreement(
    request: Request,
    body: AgreementPatch,
    session: SessionDep,
    principal: PrincipalDep,
    agreement: AgreementDep,
) -> JSONResponse:
    require_if_match(request, agreement.version)
    await service.update_agreement(
        session,
        agreement=agreement,
        patch=body,
        principal=principal,
        request_id=request_id_of(request),
    )
    return await _agreement_response(session, agreement)


# ---------------------------------------------------------------- participation


def _own_county_only(principal: Principal, county_number: str) -> None:
    """A county administrator changes its own county's participation only.

    403 rather than 404: which counties take part is readable by every county administrator,
    so refusing with 404 would hide nothing and only mislead.
    """
    if _is_programme_admin(principal) or principal.county == county_number:
        return
    raise ProblemError(
        403,
        "foreign-county",
        f"A county administrator may change only its own county's participation, not county "
        f"{county_number}'s",
    )


async def _county_participation(
    session: SessionDep, principal: Principal, agreement: Agreement, county_number: str
) -> tuple[County, Participation | None]:
    """The county a participation change names, if the caller may change it, and its
    participation in the agreement (None when it does not take part)."""
    _own_county_only(principal, county_number)
    county = await service.county_by_number(session, county_number)
    existing = await service.load_participation(session, agreement_id=agreement.id, county=county)
    return county, existing


def _participation_out(
    participation: Participation, agreement_id: uuid.UUID, county_number: str
) -> ParticipationOut:
    return ParticipationOut(
        agreement_id=agreement_id,
        county_number=county_number,
        libraries=sorted(x.isil for x in participation.libraries),
        version=participation.version,
        updated_by=participation.updated_by,
        updated_at=participation.updated_at,
    )


def _check_put_preconditions(request: Request, existing: Participation | None) -> None:
    """If-Match for a replacement; creation takes no header or `If-None-Match: *`.

    RFC 9110 §13.1.1: If-Match when nothing exists yet fails (412); §13.1.2: If-None-Match: *
    when something exists fails (412), which makes "create only if absent" safe to retry.
    """
    if_none_match = request.headers.get("if-none-match")
    if existing is None:
        if request.headers.get("if-match") is not None:
            raise ProblemError(
                412,
                "stale-version",
                "If-Match was sent, but this county does not take part in the agreement",
            )
        return
    if if_none_match is not None and if_none_match.strip() == "*":
        raise ProblemError(
            412,
            "already-exists",
            "If-None-Match: * was sent, but this county already takes part",
            headers={"ETag": etag(existing.version)},
        )
    require_if_match(request, existing.version)


_PUT_DESCRIPTION = (
    "Replaces the list of the county's libraries and schools that take part. Creating: send no "
    "precondition or `If-None-Match: *` (201). Replacing: `If-Match` with the participation's "
    "ETag is required (200; 428 without, 412 when stale). Every ISIL must be one of the county's "
    "libraries, else nothing changes (422 naming each). The cost shares are recomputed in the "
    "same transaction."
)


@router.put(
    "/v1/agreements/{agreement_id}/participations/{county_number}",
    summary="Declare a county's participation in an agreement",
    description=_PUT_DESCRIPTION,
    response_model=ParticipationOut,
    responses={
        201: {"description": "The county now takes part", "model": ParticipationOut},
        **problem_responses(404, 409, 412, 428),
    },
)
async def put_participation(
    request: Request,
    body: ParticipationIn,
    session: SessionDep,
    principal: PrincipalDep,
    agreement: AgreementDep,
    county_number: CountyPath,
) -> JSONResponse:
    county, existing = await _county_participation(session, principal, agreement, county_number)
    _check_put_preconditions(request, existing)
    change = await service.put_participation(
        session,
        agreement=agreement,
        county=county,
        existing=existing,
        isils=body.libraries,
        principal=principal,
        request_id=request_id_of(request),
    )
    assert change.participation is not None
    status = 201 if change.created else 200
    headers = {"ETag": etag(change.participation.version)}
    if change.created:
        headers["Location"] = f"/v1/agreements/{agreement.id}/participations/{county_number}"
    return JSONResponse(
        _participation_out(change.participation, agreement.id, county_number).model_dump(
            mode="json"
        ),
        status_code=status,
        headers=headers,
    )


@router.delete(
    "/v1/agreements/{agreement_id}/participations/{county_number}",
    status_code=204,
    summary="Withdraw a county from an agreement",
    description="Needs `If-Match` with the participation's ETag. The cost shares of the counties "
    "that remain are recomputed in the same transaction.",
    responses=problem_responses(404, 409, 412, 428),
)
async def withdraw_participation(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    agreement: AgreementDep,
    county_number: CountyPath,
) -> Response:
    county, existing = await _county_participation(session, principal, agreement, county_number)
    if existing is None:
        raise ProblemError(
            404,
            "not-found",
            f"County {county_number} does not take part in agreement {agreement.id}",
        )
    require_if_match(request, existing.version)
    await service.withdraw_participation(
        session,
        agreement=agreement,
        county=county,
        participation=existing,
        principal=principal,
        request_id=request_id_of(request),
    )
    return Response(status_code=204)


@router.get(
    "/v1/agreements/{agreement_id}/participations",
    summary="List the counties that take part in an agreement, and their libraries",
    response_model=ParticipationList,
    responses=problem_responses(404),
)
async def list_participations(session: SessionDep, agreement: AgreementDep) -> ParticipationList:
    rows = (
        await session.execute(
            select(Participation, County.number)
            .join(County, County.id == Participation.county_id)
            .options(selectinload(Participation.libraries))
            .where(Participation.agreement_id == agreement.id)
            .order_by(County.number)
        )
    ).all()
    return ParticipationList(
        items=[_participation_out(p, agreement.id, number) for p, number in rows]
    )


# ---------------------------------------------------------------- cost shares

_BASIS_KIND: dict[SplitKey, Literal["population", "weight", "equal"]] = {
    SplitKey.per_inhabitant: "population",
    SplitKey.fixed_weights: "weight",
    SplitKey.equal: "equal",
}


@router.get(
    "/v1/agreements/{agreement_id}/cost-shares",
    summary="Read what each participating county pays",
    description="A programme administrator sees every county's share; a county administrator "
    "only its own county's.",
    response_model=CostSharesOut,
    responses=problem_responses(404),
)
async def list_cost_shares(
    session: SessionDep, principal: PrincipalDep, agreement: AgreementDep
) -> CostSharesOut:
    rows = await service.read_cost_shares(
        session,
        agreement=agreement,
        only_county=principal.county,
        everything=_is_programme_admin(principal),
    )
    year = service.contract_year(agreement)
    split_key = SplitKey(agreement.split_key)
    kind = _BASIS_KIND[split_key]
    items = [
        CostShareOut(
            county_number=row.county_number,
            amount_minor=row.amount_minor,
            basis=row.basis,
            basis_kind=kind,
            population_year=row.population_year,
            population_note=(
                f"No population is known for {year}; the latest earlier year, "
                f"{row.population_year}, was used"
                if row.population_year is not None and row.population_year != year
                else None
            ),
        )
        for row in rows
    ]
    return CostSharesOut(
        agreement_id=agreement.id,
        currency=agreement.currency,
        yearly_price_minor=agreement.yearly_price_minor,
        split_key=split_key,
        contract_year=year,
        computed_at=max((row.computed_at for row in rows), default=None),
        items=items,
    )
