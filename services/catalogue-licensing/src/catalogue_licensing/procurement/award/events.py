"""The events of awards."""

from __future__ import annotations

import uuid
from datetime import date

from chassis.outbox import EventData


class AgreementAwarded(EventData):
    event_type = "agreement.awarded"
    round_id: uuid.UUID
    offer_id: uuid.UUID
    agreement_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    yearly_price_minor: int
    currency: str
    period_start: date
    period_end: date
