"""The events of offers: what happened and to which offer, never its content (sealed until the
deadline, and the feed is no place for prices)."""

from __future__ import annotations

import uuid

from chassis.outbox import EventData


class OfferEvent(EventData):
    round_id: uuid.UUID
    offer_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    offer_version: int


class OfferSubmitted(OfferEvent):
    event_type = "offer.submitted"


class OfferRevised(OfferEvent):
    event_type = "offer.revised"
