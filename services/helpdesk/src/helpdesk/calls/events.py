"""The event of a logged call."""

from __future__ import annotations

import uuid
from datetime import datetime

from chassis.outbox import EventData


class CallLogged(EventData):
    event_type = "call.logged"
    library_isil: str
    service_id: uuid.UUID
    topic: str
    duration_seconds: int
    outcome: str
    ticket_id: uuid.UUID | None
    # When the call took place (it may be logged afterwards): kpi counts it in that month.
    occurred_at: datetime | None = None
