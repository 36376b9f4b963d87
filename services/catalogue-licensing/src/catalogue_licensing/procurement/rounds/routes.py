"""HTTP routes of procurement rounds: the programme drafts, announces and moves them; suppliers,
counties and partners read them once announced."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.deps import IdempotencyDep
from catalogue_licensing.procurement.rounds import service
from catalogue_licensing.procurement.rounds.deps import RoundDep, RoundForChangeDep
from catalogue_licensing.procurement.rounds.schemas import (
    MoveIn,
    MoveOut,
    RoundIn,
    RoundOut,
    RoundPatch,
    RoundQuery,
)
from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, PageQueryDep, cut_page, id_after, int_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["procurement"])
PRIVATE_CACHE = "private, no-cache"


@router.post(
    "/v1/procurement-rounds",
    status_code=201,
    summary="Draft a procurement round",
    response_model=RoundOut,
    responses=problem_responses(400, 409, 422),
)
async def create_procurement_round(
    request: Request,
    body: RoundIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    round_ = await service.create_round(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.round_view(round_),
        round_,
        status_code=201,
        headers={"Location": f"/v1/procurement-rounds/{round_.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/procurement-rounds",
    summary="List procurement rounds",
    response_model=Page[RoundOut],
    responses=problem_responses(400, 422),
)
async def list_procurement_rounds(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[RoundQuery, Query()],
) -> Page[RoundOut]:
    rows = await service.list_rounds(
        session, principal=principal, state=page.state, after=id_after(page), limit=page.limit + 1
    )
    rounds, next_cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r.id)])
    return Page[RoundOut](items=[service.round_view(r) for r in rounds], next_cursor=next_cursor)


@router.get(
    "/v1/procurement-rounds/{round_id}",
    summary="Read a procurement round",
    response_model=RoundOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_procurement_round(round_: RoundDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(
        if_none_match, service.round_view(round_), round_, cache_control=PRIVATE_CACHE
    )


@router.patch(
    "/v1/procurement-rounds/{round_id}",
    summary="Change a draft round's title or schedule",
    response_model=RoundOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def update_procurement_round(
    request: Request,
    round_: RoundForChangeDep,
    body: RoundPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(round_)
    round_ = await service.update_round(
        session, principal=principal, round_=round_, body=body, request_id=request_id_of(request)
    )
    return tagged_json(service.round_view(round_), round_)


@router.post(
    "/v1/procurement-rounds/{round_id}/moves",
    summary="Move a round to its next state (or cancel it)",
    response_model=RoundOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def move_procurement_round(
    request: Request,
    round_: RoundForChangeDep,
    body: MoveIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(round_)
    round_ = await service.move_round(
        session, principal=principal, round_=round_, to=body.to, request_id=request_id_of(request)
    )
    return tagged_json(service.round_view(round_), round_)


@router.get(
    "/v1/procurement-rounds/{round_id}/moves",
    summary="The moves a round made, oldest first",
    response_model=Page[MoveOut],
    responses=problem_responses(400, 404, 422),
)
async def list_procurement_round_moves(
    request: Request,
    response: Response,
    round_: RoundDep,
    session: SessionDep,
    page: PageQueryDep,
) -> Page[MoveOut]:
    rows = await service.list_moves(
        session, round_id=round_.id, after=int_after(page), limit=page.limit + 1
    )
    moves, next_cursor = cut_page(request, response, rows, page=page, key=lambda m: [m.seq])
    return Page[MoveOut](items=[MoveOut.model_validate(m) for m in moves], next_cursor=next_cursor)
