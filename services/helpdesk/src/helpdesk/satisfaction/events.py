"""The event of a rating given."""

from __future__ import annotations

import uuid

from chassis.outbox import EventData


class CsatGiven(EventData):
    event_type = "csat.given"
    ticket_id: uuid.UUID
    library_isil: str
    service_id: uuid.UUID
    rating: int
