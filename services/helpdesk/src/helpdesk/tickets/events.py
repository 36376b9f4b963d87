"""The events tickets emit, one model per type. No event carries a comment's text."""

from __future__ import annotations

import uuid
from datetime import datetime

from chassis.outbox import EventData


class TicketCreated(EventData):
    event_type = "ticket.created"
    service_id: uuid.UUID
    library_isil: str
    priority: str
    channel: str
    raised_by_agent: bool
    # When the request reached the desk (an agent may record it afterwards): kpi counts it in
    # that month.
    raised_at: datetime | None = None


class TicketUpdated(EventData):
    event_type = "ticket.updated"
    changed: list[str]


class TicketMoved(EventData):
    event_type = "ticket.moved"
    from_state: str
    to_state: str


class TicketFirstResponded(EventData):
    event_type = "ticket.first_responded"
    business_seconds: int
    breached: bool


class TicketResolved(EventData):
    event_type = "ticket.resolved"
    business_seconds: int
    breached: bool


class TicketReopened(EventData):
    event_type = "ticket.reopened"
    reopen_count: int


class TicketClosedEvent(EventData):
    event_type = "ticket.closed"
    merged_into: uuid.UUID | None


class ReplyAdded(EventData):
    event_type = "ticket.replied"
    comment_id: uuid.UUID
    by_agent: bool


class NoteAdded(EventData):
    event_type = "ticket.note_added"
    comment_id: uuid.UUID


class SlaBreached(EventData):
    event_type = "sla.breached"
    clock: str
    due_at: str
    priority: str
    service_id: uuid.UUID
    escalated: bool
