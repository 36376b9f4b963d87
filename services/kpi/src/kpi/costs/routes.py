"""HTTP routes of costs: cost per use of a product, per county, for a year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from chassis.concurrency import RenderedJSON
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.costs import service
from kpi.costs.schemas import CostPerUseList, CostPerUseOut, CostPerUseQuery
from kpi.organisations.access import sees_all

router = APIRouter(tags=["usage"])


@router.get(
    "/v1/cost-per-use",
    summary="Cost per use of a product, per county, for a year",
    response_model=CostPerUseList,
    responses=problem_responses(400, 422),
)
async def get_cost_per_use(
    query: Annotated[CostPerUseQuery, Query()], session: SessionDep, principal: PrincipalDep
) -> Response:
    # A county admin sees its own county's row only (a token without a county: none).
    county = query.county if sees_all(principal) else (principal.county or "")
    if query.county is not None and county != query.county:
        county = ""
    rows = await service.cost_per_use(
        session, product_id=query.product_id, year=query.year, county=county
    )
    answer = CostPerUseList(
        product_id=query.product_id,
        year=query.year,
        items=[
            CostPerUseOut(
                county=row.county,
                currency=row.currency,
                cost=None if row.cost_minor is None else row.cost_minor / 100,
                uses=row.uses,
                paid_uses=row.paid_uses,
                cost_per_use=(
                    round(row.cost_minor / 100 / row.paid_uses, 4)
                    if row.cost_minor is not None and row.paid_uses
                    else None
                ),
            )
            for row in rows
        ],
    )
    return RenderedJSON(answer.__pydantic_serializer__.to_json(answer))
