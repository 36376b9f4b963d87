"""The events of negotiation: who did what to which offer; the proposed prices stay out."""

from __future__ import annotations

from catalogue_licensing.procurement.offers.events import OfferEvent


class CounterProposalSent(OfferEvent):
    event_type = "offer.counter_proposed"


class CounterProposalAnswered(OfferEvent):
    event_type = "offer.counter_proposal_answered"
    answer: str


class OfferAccepted(OfferEvent):
    event_type = "offer.accepted"


class OfferRejected(OfferEvent):
    event_type = "offer.rejected"


class OfferWithdrawn(OfferEvent):
    event_type = "offer.withdrawn"
