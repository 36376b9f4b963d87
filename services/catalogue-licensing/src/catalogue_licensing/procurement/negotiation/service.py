"""Rules of negotiation: after the deadline, in the round's negotiation window, the programme
proposes, the vendor answers (accept: a new version with those terms; revise; decline), and each
offer gets its outcome; every step recorded with who and when, each one a change of the offer
(its ETag), so a stale step is refused."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.procurement.negotiation.errors import (
    NegotiationClosed,
    NoPendingProposal,
    OfferHasOutcome,
    OfferOfAnotherRound,
    OutcomeNotYours,
    ProposalPending,
)
from catalogue_licensing.procurement.negotiation.events import (
    CounterProposalAnswered,
    CounterProposalSent,
    OfferAccepted,
    OfferRejected,
    OfferWithdrawn,
)
from catalogue_licensing.procurement.negotiation.models import NegotiationStep
from catalogue_licensing.procurement.negotiation.schemas import (
    AcceptProposal,
    AnswerIn,
    CounterProposalIn,
    DeclineProposal,
    OutcomeIn,
    StepKind,
    StepOut,
)
from catalogue_licensing.procurement.offers.access import is_offers_vendor, reads_content
from catalogue_licensing.procurement.offers.events import OfferEvent
from catalogue_licensing.procurement.offers.models import Offer
from catalogue_licensing.procurement.offers.pricing import (
    OfferContent,
    OfferContentOut,
    check_pricing,
)
from catalogue_licensing.procurement.offers.schemas import OUTCOMES, OfferStatus
from catalogue_licensing.procurement.offers.sealing import OfferSealer
from catalogue_licensing.procurement.offers.service import (
    add_version,
    offer_event,
    sealed_current,
)
from catalogue_licensing.procurement.rounds.access import is_programme
from catalogue_licensing.procurement.rounds.calendar import day_end, zone_of
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import RoundState
from chassis.audit import Change
from chassis.auth import Principal
from chassis.types import utcnow

PROPOSAL = "proposal"
COUNTER_PROPOSAL_ORIGIN = "counter_proposal"
VENDOR_ORIGIN = "vendor"


def check_window(round_: ProcurementRound, now: datetime) -> None:
    if round_.state != RoundState.negotiation:
        raise NegotiationClosed(
            "round_id", f"round {round_.id} is {round_.state}, not in negotiation"
        )
    if now >= day_end(round_.negotiation_end, zone_of(round_.time_zone)):
        raise NegotiationClosed(
            "negotiation_end", f"the negotiation window closed with {round_.negotiation_end}"
        )


async def list_steps(
    session: AsyncSession, *, offer_id: uuid.UUID, after: int | None, limit: int
) -> Sequence[NegotiationStep]:
    query = (
        select(NegotiationStep)
        .where(NegotiationStep.offer_id == offer_id)
        .order_by(NegotiationStep.seq)
        .limit(limit)
    )
    if after is not None:
        query = query.where(NegotiationStep.seq > after)
    return (await session.scalars(query)).all()


async def pending_proposal(session: AsyncSession, *, offer: Offer) -> NegotiationStep | None:
    """The counter-proposal awaiting the vendor's answer: the last step, if it is one."""
    last = await session.scalar(
        select(NegotiationStep)
        .where(NegotiationStep.offer_id == offer.id)
        .order_by(NegotiationStep.seq.desc())
        .limit(1)
    )
    return last if last is not None and last.kind == StepKind.counter_proposal else None


def _proposal(sealer: OfferSealer, step: NegotiationStep, offer: Offer) -> dict[str, Any]:
    assert step.sealed is not None
    return sealer.open(
        step.sealed,
        round_id=offer.round_id,
        offer_id=offer.id,
        number=step.offer_version,
        part=PROPOSAL,
    )


def step_view(
    step: NegotiationStep,
    *,
    offer: Offer,
    round_: ProcurementRound,
    principal: Principal,
    sealer: OfferSealer,
    now: datetime,
) -> StepOut:
    readable = step.sealed is not None and reads_content(
        principal, offer=offer, round_=round_, now=now
    )
    proposal = OfferContentOut.model_validate(_proposal(sealer, step, offer)) if readable else None
    fields = {n: getattr(step, n) for n in StepOut.model_fields if hasattr(step, n)}
    return StepOut.model_validate(fields | {"proposal": proposal})


@dataclass(frozen=True)
class _Step:
    kind: StepKind
    message: str | None
    event: OfferEvent
    sealed: bytes | None = None


async def _record(
    session: AsyncSession,
    *,
    offer: Offer,
    taken: _Step,
    principal: Principal,
    now: datetime,
    request_id: str | None,
) -> NegotiationStep:
    """The step, the offer's change (its version, so the next step needs the new ETag), the
    audit entry and the event, in the caller's transaction. No content in the trail."""
    offer.updated_at = now
    await session.flush()
    kind, message = taken.kind, taken.message
    step = NegotiationStep(
        offer_id=offer.id,
        kind=kind.value,
        actor=principal.subject,
        at=now,
        message=message,
        sealed=taken.sealed,
        offer_version=offer.current_version,
    )
    session.add(step)
    await session.flush()
    await trail.announce(
        session,
        taken.event,
        principal=principal,
        change=Change(
            "negotiation_step",
            str(step.seq),
            before=None,
            after={
                "offer_id": str(offer.id),
                "kind": kind.value,
                "message": message,
                "offer_version": offer.current_version,
                "offer_status": offer.status,
            },
        ),
        subject=str(offer.id),
        request_id=request_id,
    )
    return step


def _open_to_negotiation(offer: Offer) -> None:
    if OfferStatus(offer.status) in OUTCOMES:
        raise OfferHasOutcome("offer_id", f"offer {offer.id} is {offer.status} already")


async def counter_propose(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    principal: Principal,
    round_: ProcurementRound,
    offer: Offer,
    body: CounterProposalIn,
    request_id: str | None,
    now: datetime | None = None,
) -> NegotiationStep:
    now = now or utcnow()
    if offer.round_id != round_.id:
        raise OfferOfAnotherRound(
            "offer_id", f"offer {offer.id} belongs to round {offer.round_id}, not {round_.id}"
        )
    check_window(round_, now)
    _open_to_negotiation(offer)
    if await pending_proposal(session, offer=offer) is not None:
        raise ProposalPending("offer_id", "the vendor has not answered the last counter-proposal")
    current = sealer.open(
        await sealed_current(session, offer),
        round_id=offer.round_id,
        offer_id=offer.id,
        number=offer.current_version,
    )
    changed = body.model_dump(
        mode="json", include={"pricing_model", "price_lines", "terms"}, exclude_none=True
    )
    proposed = OfferContent.model_validate(current | changed)
    check_pricing(proposed)
    offer.status = OfferStatus.negotiation.value
    sealed = sealer.seal(
        proposed.model_dump(mode="json"),
        round_id=offer.round_id,
        offer_id=offer.id,
        number=offer.current_version,
        part=PROPOSAL,
    )
    taken = _Step(
        StepKind.counter_proposal, body.message, offer_event(offer, CounterProposalSent), sealed
    )
    return await _record(
        session, offer=offer, taken=taken, principal=principal, now=now, request_id=request_id
    )


async def answer_proposal(
    session: AsyncSession,
    *,
    sealer: OfferSealer,
    principal: Principal,
    round_: ProcurementRound,
    offer: Offer,
    body: AnswerIn,
    request_id: str | None,
    now: datetime | None = None,
) -> NegotiationStep:
    now = now or utcnow()
    check_window(round_, now)
    _open_to_negotiation(offer)
    pending = await pending_proposal(session, offer=offer)
    if pending is None:
        raise NoPendingProposal("answer", "there is no counter-proposal to answer")
    if isinstance(body, DeclineProposal):
        kind = StepKind.proposal_declined
    else:
        if isinstance(body, AcceptProposal):
            content = OfferContent.model_validate(_proposal(sealer, pending, offer))
            kind, origin = StepKind.proposal_accepted, COUNTER_PROPOSAL_ORIGIN
        else:
            content = OfferContent.model_validate(
                body.model_dump(mode="json", exclude={"answer", "message"})
            )
            check_pricing(content)
            kind, origin = StepKind.revised, VENDOR_ORIGIN
        await add_version(
            session,
            sealer=sealer,
            offer=offer,
            content=content,
            origin=origin,
            principal=principal,
            now=now,
        )
    event = offer_event(offer, CounterProposalAnswered, answer=body.answer)
    return await _record(
        session,
        offer=offer,
        taken=_Step(kind, body.message, event),
        principal=principal,
        now=now,
        request_id=request_id,
    )


_OUTCOME_EVENTS: dict[str, type[OfferEvent]] = {
    "accepted": OfferAccepted,
    "rejected": OfferRejected,
    "withdrawn": OfferWithdrawn,
}


async def decide(
    session: AsyncSession,
    *,
    principal: Principal,
    round_: ProcurementRound,
    offer: Offer,
    body: OutcomeIn,
    request_id: str | None,
    now: datetime | None = None,
) -> NegotiationStep:
    """The offer's outcome: accepted or rejected by the programme, withdrawn by its vendor."""
    now = now or utcnow()
    if body.outcome == "withdrawn" and not is_offers_vendor(principal, offer):
        raise OutcomeNotYours("outcome", "only the offer's vendor withdraws it")
    if body.outcome != "withdrawn" and not is_programme(principal):
        raise OutcomeNotYours("outcome", "only the programme accepts or rejects an offer")
    check_window(round_, now)
    _open_to_negotiation(offer)
    if body.outcome == "accepted" and await pending_proposal(session, offer=offer) is not None:
        raise ProposalPending(
            "outcome", "the vendor has not answered the last counter-proposal yet"
        )
    offer.status = body.outcome
    event = offer_event(offer, _OUTCOME_EVENTS[body.outcome])
    return await _record(
        session,
        offer=offer,
        taken=_Step(StepKind(body.outcome), body.message, event),
        principal=principal,
        now=now,
        request_id=request_id,
    )
