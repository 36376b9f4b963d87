"""HTTP routes of indicators: anyone reads the definitions; analysts define and change them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import BadCursor, Page, cut_page, decode_cursor
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.deps import IdempotencyDep
from kpi.indicators import service
from kpi.indicators.deps import IndicatorDep
from kpi.indicators.schemas import IndicatorIn, IndicatorOut, IndicatorPatch, IndicatorQuery

router = APIRouter(tags=["indicators"])
# Definitions are public and change seldom: shared caches may keep them briefly.
PUBLIC_CACHE = "public, max-age=60"


def _code_after(page: IndicatorQuery) -> str | None:
    if page.cursor is None:
        return None
    (raw,) = decode_cursor(page.cursor, arity=1)
    if not isinstance(raw, str):
        raise BadCursor("The cursor is not one this API issued")
    return raw


@router.post(
    "/v1/indicators",
    status_code=201,
    summary="Define an indicator",
    response_model=IndicatorOut,
    responses=problem_responses(400, 409, 422),
)
async def create_indicator(
    request: Request,
    body: IndicatorIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    indicator = await service.create_indicator(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.indicator_view(indicator),
        indicator,
        status_code=201,
        headers={"Location": f"/v1/indicators/{indicator.code}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/indicators",
    summary="List indicators by code",
    response_model=Page[IndicatorOut],
    responses=problem_responses(400, 422),
)
async def list_indicators(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[IndicatorQuery, Query()],
) -> Page[IndicatorOut]:
    rows = await service.list_indicators(
        session, source=page.source, after=_code_after(page), limit=page.limit + 1
    )
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda i: [i.code])
    return Page[IndicatorOut](
        items=[service.indicator_view(i) for i in kept], next_cursor=next_cursor
    )


@router.get(
    "/v1/indicators/{code}",
    summary="Read an indicator",
    response_model=IndicatorOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_indicator(indicator: IndicatorDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.indicator_view(indicator), indicator, cache_control=PUBLIC_CACHE
    )


@router.patch(
    "/v1/indicators/{code}",
    summary="Change an indicator's names, unit, source, reference or threshold",
    response_model=IndicatorOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_indicator(
    request: Request,
    indicator: IndicatorDep,
    body: IndicatorPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(indicator)
    indicator = await service.update_indicator(
        session,
        principal=principal,
        indicator=indicator,
        body=body,
        request_id=request_id_of(request),
    )
    return tagged_json(service.indicator_view(indicator), indicator)
