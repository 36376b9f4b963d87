"""HTTP route of awards."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from catalogue_licensing.procurement.award import service
from catalogue_licensing.procurement.award.schemas import AwardIn, AwardOut
from catalogue_licensing.procurement.offers.deps import OfferForChangeDep, SealerDep
from catalogue_licensing.procurement.offers.service import round_of
from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, tagged_json
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["procurement"])


@router.post(
    "/v1/offers/{offer_id}/award",
    status_code=201,
    summary="Award an accepted offer: its agreement is created for the contract period",
    response_model=AwardOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def award_offer(
    request: Request,
    offer: OfferForChangeDep,
    body: AwardIn,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(offer)
    round_ = await round_of(session, offer, for_update=True)
    agreement, view = await service.award_offer(
        session,
        sealer=sealer,
        principal=principal,
        round_=round_,
        offer=offer,
        body=body,
        request_id=request_id_of(request),
    )
    return tagged_json(
        view, offer, status_code=201, headers={"Location": f"/v1/agreements/{agreement.id}"}
    )
