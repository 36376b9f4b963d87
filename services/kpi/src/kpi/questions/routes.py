"""HTTP routes of questions: roll-ups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from chassis.concurrency import RenderedJSON
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.questions import service
from kpi.questions.schemas import (
    RollupOut,
    RollupQuery,
    SeriesOut,
    SeriesQuery,
    YearOnYearOut,
    YearOnYearQuery,
)

router = APIRouter(tags=["questions"])


@router.get(
    "/v1/rollups",
    summary="An indicator for an organisation and a period, rolled up by the indicator's rule",
    response_model=RollupOut,
    responses=problem_responses(403, 422),
)
async def get_rollup(
    query: Annotated[RollupQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> Response:
    answer = await service.rollup(session, principal=principal, query=query)
    return RenderedJSON(answer.__pydantic_serializer__.to_json(answer))


@router.get(
    "/v1/series",
    summary="An indicator per period for one or more organisations, each value rolled up",
    response_model=SeriesOut,
    responses=problem_responses(403, 422),
)
async def get_series(
    query: Annotated[SeriesQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> Response:
    answer = await service.series(session, principal=principal, query=query)
    return RenderedJSON(answer.__pydantic_serializer__.to_json(answer))


@router.get(
    "/v1/comparisons/year-on-year",
    summary="An indicator for a period against the same period a year before",
    response_model=YearOnYearOut,
    responses=problem_responses(403, 422),
)
async def get_year_on_year(
    query: Annotated[YearOnYearQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> Response:
    answer = await service.year_on_year(session, principal=principal, query=query)
    return RenderedJSON(answer.__pydantic_serializer__.to_json(answer))
