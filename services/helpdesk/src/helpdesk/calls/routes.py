"""HTTP routes of the phone log: log a call, list and read calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import NOT_MODIFIED, IfNoneMatchDep, conditional_json, tagged_json
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from helpdesk.calls import service
from helpdesk.calls.deps import CallDep
from helpdesk.calls.schemas import CallIn, CallOut, CallQuery
from helpdesk.deps import IdempotencyDep

router = APIRouter(tags=["calls"])


@router.post(
    "/v1/calls",
    status_code=201,
    summary="Log a call: library, service, topic, duration, solved or turned into a ticket",
    response_model=CallOut,
    responses=problem_responses(400, 409, 422),
)
async def log_call(
    request: Request,
    body: CallIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    call = await service.log_call(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.call_view(call), call, status_code=201, headers={"Location": f"/v1/calls/{call.id}"}
    )
    return await idem.remember(response)


@router.get(
    "/v1/calls",
    summary="List logged calls",
    response_model=Page[CallOut],
    responses=problem_responses(400, 422),
)
async def list_calls(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[CallQuery, Query()],
) -> Page[CallOut]:
    rows = await service.list_calls(session, query=page, after=id_after(page), limit=page.limit + 1)
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda c: [str(c.id)])
    return Page[CallOut](items=[service.call_view(c) for c in cut], next_cursor=next_cursor)


@router.get(
    "/v1/calls/{call_id}",
    summary="Read a logged call",
    response_model=CallOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_call(call: CallDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.call_view(call), call, cache_control="private, no-cache"
    )
