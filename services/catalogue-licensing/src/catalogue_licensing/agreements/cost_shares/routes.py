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
    description="A programme administrator sees every county's share. A county administrator "
    "whose county takes part in the agreement sees every participant's share (the price, the "
    "split key and the populations would give them anyway, and each county checks that the "
    "split adds up); of an agreement its county does not take part in, none (an empty list). "
    "Partners and vendors: 403.",
    response_model=CostSharesOut,
    responses=problem_responses(404),
)
async def list_cost_shares(
    session: SessionDep, principal: PrincipalDep, agreement: AgreementDep
) -> CostSharesOut:
    return await service.cost_shares_view(session, principal=principal, agreement=agreement)
