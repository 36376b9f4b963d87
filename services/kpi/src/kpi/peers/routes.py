"""HTTP routes of peer comparisons and rankings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from chassis.concurrency import RenderedJSON
from chassis.pagination import Page, cut_page
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.peers import service
from kpi.peers.schemas import PeerComparisonOut, PeerQuery, RankedOut, RankingQuery

router = APIRouter(tags=["questions"])


@router.get(
    "/v1/comparisons/peers",
    summary="A library's or municipality's figure beside the median of its size class",
    response_model=PeerComparisonOut,
    responses=problem_responses(403, 422),
)
async def get_peer_comparison(
    query: Annotated[PeerQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> Response:
    answer = await service.peer_comparison(session, principal=principal, query=query)
    return RenderedJSON(answer.__pydantic_serializer__.to_json(answer))


@router.get(
    "/v1/rankings",
    summary="The organisations of one level ranked by an indicator for a period",
    response_model=Page[RankedOut],
    responses=problem_responses(400, 403, 422),
)
async def list_rankings(
    request: Request,
    response: Response,
    query: Annotated[RankingQuery, Query()],
    session: SessionDep,
    principal: PrincipalDep,
) -> Page[RankedOut]:
    rows = await service.ranking(session, principal=principal, query=query)
    kept, next_cursor = cut_page(request, response, rows, page=query, key=service.page_key)
    return Page[RankedOut](items=[r for _, r in kept], next_cursor=next_cursor)
