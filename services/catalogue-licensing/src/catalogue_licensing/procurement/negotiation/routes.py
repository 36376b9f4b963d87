"""HTTP routes of negotiation: the programme's counter-proposals, the vendor's answers, the
offers' outcomes, and the steps so far."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from catalogue_licensing.procurement.negotiation import service
from catalogue_licensing.procurement.negotiation.errors import UnknownOffer
from catalogue_licensing.procurement.negotiation.schemas import (
    AnswerIn,
    CounterProposalIn,
    OutcomeIn,
    StepOut,
)
from catalogue_licensing.procurement.offers.deps import OfferDep, OfferForChangeDep, SealerDep
from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.offers.service import round_of
from catalogue_licensing.procurement.rounds.deps import RoundForChangeDep
from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, tagged_json
from chassis.pagination import Page, PageQueryDep, cut_page, int_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from chassis.types import utcnow

router = APIRouter(tags=["procurement"])
NO_STORE = "private, no-store"


def _answer(step_view: StepOut, offer: Offer) -> JSONResponse:
    # The step, with the offer's new ETag: the next step names it in If-Match.
    return tagged_json(step_view, offer, status_code=201)


@router.post(
    "/v1/procurement-rounds/{round_id}/counter-proposals",
    status_code=201,
    summary="Send a vendor a counter-proposal on its offer (If-Match: the offer's ETag)",
    response_model=StepOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def send_counter_proposal(
    request: Request,
    round_: RoundForChangeDep,
    body: CounterProposalIn,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    offer = await session.get(Offer, body.offer_id, with_for_update=True)
    if offer is None:
        raise UnknownOffer("offer_id", f"no offer {body.offer_id}")
    if_match.require(offer)
    step = await service.counter_propose(
        session,
        sealer=sealer,
        principal=principal,
        round_=round_,
        offer=offer,
        body=body,
        request_id=request_id_of(request),
    )
    view = service.step_view(
        step, offer=offer, round_=round_, principal=principal, sealer=sealer, now=utcnow()
    )
    return _answer(view, offer)


@router.post(
    "/v1/offers/{offer_id}/negotiation/answers",
    status_code=201,
    summary="Answer the pending counter-proposal: accept, revise or decline",
    response_model=StepOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def answer_counter_proposal(
    request: Request,
    offer: OfferForChangeDep,
    body: AnswerIn,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(offer)
    round_ = await round_of(session, offer, for_update=True)
    step = await service.answer_proposal(
        session,
        sealer=sealer,
        principal=principal,
        round_=round_,
        offer=offer,
        body=body,
        request_id=request_id_of(request),
    )
    view = service.step_view(
        step, offer=offer, round_=round_, principal=principal, sealer=sealer, now=utcnow()
    )
    return _answer(view, offer)


@router.post(
    "/v1/offers/{offer_id}/outcome",
    status_code=201,
    summary="Decide an offer: accepted or rejected (the programme), withdrawn (its vendor)",
    response_model=StepOut,
    responses=problem_responses(403, 404, 409, 412, 422, 428),
)
async def decide_offer(
    request: Request,
    offer: OfferForChangeDep,
    body: OutcomeIn,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(offer)
    round_ = await round_of(session, offer, for_update=True)
    step = await service.decide(
        session,
        principal=principal,
        round_=round_,
        offer=offer,
        body=body,
        request_id=request_id_of(request),
    )
    view = service.step_view(
        step, offer=offer, round_=round_, principal=principal, sealer=sealer, now=utcnow()
    )
    return _answer(view, offer)


@router.get(
    "/v1/offers/{offer_id}/negotiation",
    summary="The negotiation of an offer, step by step, oldest first",
    response_model=Page[StepOut],
    responses=problem_responses(400, 404, 422),
)
async def list_negotiation_steps(
    request: Request,
    response: Response,
    offer: OfferDep,
    session: SessionDep,
    principal: PrincipalDep,
    sealer: SealerDep,
    page: PageQueryDep,
) -> Page[StepOut]:
    rows = await service.list_steps(
        session, offer_id=offer.id, after=int_after(page), limit=page.limit + 1
    )
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda s: [s.seq])
    response.headers["Cache-Control"] = NO_STORE
    round_ = await round_of(session, offer)
    now = utcnow()
    return Page[StepOut](
        items=[
            service.step_view(
                s, offer=offer, round_=round_, principal=principal, sealer=sealer, now=now
            )
            for s in kept
        ],
        next_cursor=next_cursor,
    )
