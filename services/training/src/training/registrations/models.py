"""The registrations table: one row per person and session, confirmed, waiting or cancelled."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from training.db import Base


class Registration(Versioned, Base):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "person"),
        Index("ix_registrations_queue", "session_id", "mode", "status", "arrival"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_sessions.id"))
    mode: Mapped[str] = mapped_column(String(20))
    # The token's subject of the staff member, and their library (ISIL) when the token names one.
    person: Mapped[str] = mapped_column(String(200), index=True)
    isil: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The order the database counted the registration in (SessionSeats.arrivals).
    arrival: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    attended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
