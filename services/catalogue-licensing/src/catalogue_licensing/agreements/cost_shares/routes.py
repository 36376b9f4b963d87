"""HTTP route of cost shares: what each participating county pays of an agreement."""

from __future__ import annotations

from fastapi import APIRouter

from catalogue_licensing.agreements.cost_shares import service
from catalogue_licensing.agreements.cost_shares.schemas import CostSharesOut
from catalogue_licensing.agreements.deps import AgreementDep
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["agreements"])


@router.get(
    "/v1/agreements/{agreement_id}/cost-shares",
    summary="Read what each participating county pays",
    description="A programme administrator sees every county's share; a county administrator "
    "only its own county's.",
    response_model=CostSharesOut,
    responses=problem_responses(404),
)
async def list_cost_shares(
    session: SessionDep, principal: PrincipalDep, agreement: AgreementDep
) -> CostSharesOut:
    return await service.cost_shares_view(session, principal=principal, agreement=agreement)
