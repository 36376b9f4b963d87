"""HTTP routes of harvests: where each feed's cursor stands (the job does the harvesting)."""

from __future__ import annotations

from fastapi import APIRouter

from chassis.pagination import Page, PageQueryDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.harvest import service
from kpi.harvest.schemas import HarvestOut

router = APIRouter(tags=["harvests"])


@router.get(
    "/v1/harvests",
    summary="Each harvested feed's cursor and how many events it has applied",
    response_model=Page[HarvestOut],
    responses=problem_responses(400, 422),
)
async def list_harvests(session: SessionDep, page: PageQueryDep) -> Page[HarvestOut]:
    # A handful of feeds: one page holds them all.
    rows = await service.cursors(session)
    return Page[HarvestOut](
        items=[HarvestOut.model_validate(r) for r in rows[: page.limit]], next_cursor=None
    )
