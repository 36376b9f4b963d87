"""HTTP route of search: published courses, lessons and transcripts, ranked, with snippets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.resources import ResourcesDep
from training.searching import service
from training.searching.schemas import SearchAnswer, SearchParams

router = APIRouter(tags=["search"])


@router.get(
    "/v1/search",
    summary="Search published learning content (Dutch, Norwegian, English)",
    response_model=SearchAnswer,
    responses=problem_responses(400, 422),
)
async def search_content(
    session: SessionDep,
    resources: ResourcesDep,
    params: Annotated[SearchParams, Query()],
) -> SearchAnswer:
    items = await service.find(session, index=resources.index, params=params)
    return SearchAnswer(items=items)
