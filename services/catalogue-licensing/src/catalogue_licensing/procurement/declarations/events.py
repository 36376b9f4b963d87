"""The events of self-declarations."""

from __future__ import annotations

import uuid

from chassis.outbox import EventData


class DeclarationSubmitted(EventData):
    event_type = "declaration.submitted"
    round_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    complete: bool
