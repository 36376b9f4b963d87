"""The event of a logged call."""

from __future__ import annotations

import uuid

from chassis.outbox import EventData


class CallLogged(EventData):
    event_type = "call.logged"
    library_isil: str
    service_id: uuid.UUID
    topic: str
    duration_seconds: int
    outcome: str
    ticket_id: uuid.UUID | None
