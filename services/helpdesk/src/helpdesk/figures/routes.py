"""HTTP routes of the figures: volumes, performance, backlog; JSON or CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from chassis.types import utcnow
from helpdesk.figures import service
from helpdesk.figures.csv_out import csv_response
from helpdesk.figures.schemas import (
    BacklogOut,
    BacklogQuery,
    BacklogRow,
    PerformanceOut,
    PerformanceQuery,
    PerformanceRow,
    VolumeQuery,
    VolumeRow,
    VolumesOut,
)

router = APIRouter(tags=["reports"])
CSV = {"text/csv": {"schema": {"type": "string"}}}


@router.get(
    "/v1/reports/volumes",
    summary="Tickets and calls by service, channel, library or month (JSON or CSV)",
    response_model=VolumesOut,
    responses={200: {"content": CSV}, **problem_responses(400, 422)},
)
async def report_volumes(
    session: SessionDep, query: Annotated[VolumeQuery, Query()]
) -> VolumesOut | Response:
    since, until = query.period(today=utcnow().date())
    rows = await service.volumes(session, since=since, until=until, by=query.by)
    if query.format == "csv":
        return csv_response(rows, VolumeRow, filename=f"volumes-{since}-{until}.csv")
    return VolumesOut(period_from=since, period_to=until, by=query.by, items=rows)


@router.get(
    "/v1/reports/performance",
    summary="First-response and resolution times (median, p90, business minutes), SLA compliance",
    response_model=PerformanceOut,
    responses={200: {"content": CSV}, **problem_responses(400, 422)},
)
async def report_performance(
    session: SessionDep, query: Annotated[PerformanceQuery, Query()]
) -> PerformanceOut | Response:
    since, until = query.period(today=utcnow().date())
    rows = await service.performance(session, since=since, until=until, by=query.by)
    if query.format == "csv":
        return csv_response(rows, PerformanceRow, filename=f"performance-{since}-{until}.csv")
    return PerformanceOut(
        period_from=since, period_to=until, by=query.by, unit="business minutes", items=rows
    )


@router.get(
    "/v1/reports/backlog",
    summary="Tickets not closed, by state, with those past due (JSON or CSV)",
    response_model=BacklogOut,
    responses={200: {"content": CSV}, **problem_responses(400, 422)},
)
async def report_backlog(
    session: SessionDep, query: Annotated[BacklogQuery, Query()]
) -> BacklogOut | Response:
    now = utcnow()
    rows = await service.backlog(session, by=query.by, now=now)
    if query.format == "csv":
        return csv_response(rows, BacklogRow, filename=f"backlog-{now:%Y-%m-%d}.csv")
    return BacklogOut(at=now, by=query.by, items=rows)
