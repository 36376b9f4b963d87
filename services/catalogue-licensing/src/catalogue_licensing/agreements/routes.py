"""HTTP routes of agreements (participation and cost shares have their own, beside)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.agreements import service
from catalogue_licensing.agreements.deps import AgreementDep
from catalogue_licensing.agreements.schemas import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    AgreementQuery,
)
from catalogue_licensing.deps import IdempotencyDep
from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, tagged_json
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["agreements"])


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
    response = tagged_json(
        await service.agreement_view(session, agreement),
        agreement,
        status_code=201,
        headers={"Location": f"/v1/agreements/{agreement.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/agreements",
    summary="List agreements, oldest first",
    response_model=Page[AgreementOut],
)
async def list_agreements(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[AgreementQuery, Query()],
) -> Page[AgreementOut]:
    rows = await service.list_agreements(
        session,
        principal=principal,
        product_id=page.product_id,
        current_on=page.current_on,
        county=page.county,
        after=id_after(page),
        limit=page.limit + 1,
    )
    agreements, next_cursor = cut_page(
        request, response, rows, page=page, key=lambda a: [str(a.id)]
    )
    return Page[AgreementOut](
        items=await service.agreement_views(session, agreements), next_cursor=next_cursor
    )


@router.get(
    "/v1/agreements/{agreement_id}",
    summary="Read an agreement",
    response_model=AgreementOut,
    responses=problem_responses(404),
)
async def get_agreement(session: SessionDep, agreement: AgreementDep) -> JSONResponse:
    return tagged_json(await service.agreement_view(session, agreement), agreement)


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
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(agreement)
    await service.update_agreement(
        session,
        agreement=agreement,
        patch=body,
        principal=principal,
        request_id=request_id_of(request),
    )
    return tagged_json(await service.agreement_view(session, agreement), agreement)
