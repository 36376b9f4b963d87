"""The event of an attachment added to a ticket."""

from __future__ import annotations

import uuid

from chassis.outbox import EventData


class AttachmentAdded(EventData):
    event_type = "ticket.attachment_added"
    attachment_id: uuid.UUID
    media_type: str
    size: int
    internal: bool
