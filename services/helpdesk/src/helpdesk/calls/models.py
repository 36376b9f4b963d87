"""The calls table: one row per call an agent took."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from helpdesk.db import Base


class Call(Versioned, Base):
    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_occurred_at", "occurred_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    library_isil: Mapped[str] = mapped_column(String(20))
    caller: Mapped[str | None] = mapped_column(String(200), nullable=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_services.id"))
    topic: Mapped[str] = mapped_column(String(60))
    duration_seconds: Mapped[int] = mapped_column(Integer)
    # "solved" during the call, or "ticket": turned into (or linked to) a ticket.
    outcome: Mapped[str] = mapped_column(String(20))
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    agent: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
