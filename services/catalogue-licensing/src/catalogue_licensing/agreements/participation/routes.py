"""HTTP routes of participation: a county declares, replaces or withdraws its libraries' taking
part in an agreement."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.agreements.deps import AgreementDep
from catalogue_licensing.agreements.participation import service
from catalogue_licensing.agreements.participation.deps import (
    CountyParticipationDep,
    ParticipationDep,
)
from catalogue_licensing.agreements.participation.schemas import (
    ParticipationIn,
    ParticipationOut,
)
from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import (
    BadCursor,
    Page,
    PageQuery,
    PageQueryDep,
    cut_page,
    decode_cursor,
)
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["agreements"])

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
    place: CountyParticipationDep,
    if_match: IfMatchDep,
    if_none_match: IfNoneMatchDep,
) -> JSONResponse:
    # RFC 9110 §13.1.1: If-Match when nothing exists yet fails (412); §13.1.2: If-None-Match: *
    # when something exists fails (412), which makes "create only if absent" safe to retry.
    if place.existing is None:
        if_match.require_absent("this county does not take part in the agreement")
    else:
        if_none_match.require_not_star(place.existing, "this county already takes part")
        if_match.require(place.existing)
    change = await service.put_participation(
        session,
        agreement=place.agreement,
        county=place.county,
        existing=place.existing,
        isils=body.libraries,
        principal=principal,
        request_id=request_id_of(request),
    )
    view = service.participation_view(change.participation, place.agreement.id, place.county.number)
    if not change.created:
        return tagged_json(view, change.participation)
    location = f"/v1/agreements/{place.agreement.id}/participations/{place.county.number}"
    return tagged_json(view, change.participation, status_code=201, headers={"Location": location})


@router.get(
    "/v1/agreements/{agreement_id}/participations/{county_number}",
    summary="Read a county's participation in an agreement, with its ETag",
    description="What a PUT's `Location` names: the libraries taking part and the ETag a "
    "change or a withdrawal sends as `If-Match`; 304 for a current `If-None-Match`.",
    response_model=ParticipationOut,
    responses={**NOT_MODIFIED, **problem_responses(404)},
)
async def get_participation(place: ParticipationDep, if_none_match: IfNoneMatchDep) -> Response:
    view = service.participation_view(place.participation, place.agreement.id, place.county.number)
    return conditional_json(if_none_match, view, place.participation, cache_control="no-cache")


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
    place: CountyParticipationDep,
    if_match: IfMatchDep,
) -> Response:
    if place.existing is not None:
        if_match.require(place.existing)
    await service.withdraw_participation(
        session,
        agreement=place.agreement,
        county=place.county,
        participation=place.existing,
        principal=principal,
        request_id=request_id_of(request),
    )
    return Response(status_code=204)


@router.get(
    "/v1/agreements/{agreement_id}/participations",
    summary="List the counties that take part in an agreement, and their libraries",
    description="A page like every list's (`limit`, `cursor`, `next_cursor`), by county number; "
    "each item's `version` is its ETag's number (`If-Match: \"<version>\"`).",
    response_model=Page[ParticipationOut],
    responses=problem_responses(400, 404, 422),
)
async def list_participations(
    request: Request,
    response: Response,
    session: SessionDep,
    agreement: AgreementDep,
    page: PageQueryDep,
) -> Page[ParticipationOut]:
    rows = await service.list_participations(
        session, agreement=agreement, after=_county_after(page), limit=page.limit + 1
    )
    items, next_cursor = cut_page(
        request, response, rows, page=page, key=lambda p: [p.county_number]
    )
    return Page[ParticipationOut](items=items, next_cursor=next_cursor)


def _county_after(page: PageQuery) -> str | None:
    """The county number a page continues after (None on the first page)."""
    if page.cursor is None:
        return None
    (number,) = decode_cursor(page.cursor, arity=1)
    if not isinstance(number, str):
        raise BadCursor("The cursor is not one this API issued")
    return number
