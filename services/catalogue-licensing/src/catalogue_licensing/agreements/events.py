"""The events agreements emit, one model per type (declared in the feed's contract)."""

import uuid
from datetime import date

from catalogue_licensing.agreements.split import SplitKey
from chassis.outbox import EventData


class AgreementCreated(EventData):
    event_type = "agreement.created"
    product_id: uuid.UUID
    period_start: date
    period_end: date
    yearly_price_minor: int
    currency: str
    split_key: SplitKey
    weights: dict[str, int] | None


class AgreementUpdated(EventData):
    event_type = "agreement.updated"
    changed: list[str]
    version: int
