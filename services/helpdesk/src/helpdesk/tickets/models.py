"""Tables of tickets: the ticket with its SLA clocks, its comments and its attachments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from helpdesk.db import Base


class Ticket(Versioned, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_library_isil_id", "library_isil", "id"),
        Index("ix_tickets_state", "state"),
        Index("ix_tickets_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    library_isil: Mapped[str] = mapped_column(String(20))
    # The staff member the ticket is for (token subject); the agent's own when raised for a call.
    requester: Mapped[str] = mapped_column(String(200))
    raised_by: Mapped[str] = mapped_column(String(200))
    raised_by_agent: Mapped[bool] = mapped_column(Boolean)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_services.id"))
    category: Mapped[str | None] = mapped_column(String(60), nullable=True)
    priority: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    group_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSONDoc)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tickets.id"), nullable=True
    )
    # Whether a staff member of the library took part after raising (for satisfaction).
    requester_replied: Mapped[bool] = mapped_column(Boolean)
    reopen_count: Mapped[int] = mapped_column(Integer)
    # SLA clocks, in business time of the service's calendar (tickets.clocks computes them).
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    # [{"start": iso, "end": iso | null, "reason": "pending on the library" | "resolved"}]
    pauses: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_response_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_response_breached: Mapped[bool] = mapped_column(Boolean)
    resolution_breached: Mapped[bool] = mapped_column(Boolean)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketComment(Base):
    """A public reply or an internal note; never changed once written."""

    __tablename__ = "ticket_comments"
    __table_args__ = (Index("ix_ticket_comments_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"))
    author: Mapped[str] = mapped_column(String(200))
    by_agent: Mapped[bool] = mapped_column(Boolean)
    internal: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketAttachment(Base):
    """A file on a ticket, its type found from its content; internal when an agent says so."""

    __tablename__ = "ticket_attachments"
    __table_args__ = (Index("ix_ticket_attachments_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    internal: Mapped[bool] = mapped_column(Boolean)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
