"""Session tables: the session and its seats per way of attending (in person, online)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from training.db import Base


class TrainingSession(Versioned, Base):
    """One dated session of a course. Its version is the iCalendar SEQUENCE: every change to
    what a calendar shows raises it; registrations change the seats, not the session."""

    __tablename__ = "training_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"), index=True)
    track: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(20))
    # {"name", "address", "city", "country"} or None for a webinar.
    venue: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    online_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    language: Mapped[str] = mapped_column(String(5))
    trainer_subject: Mapped[str] = mapped_column(String(200), index=True)
    trainer_name: Mapped[str] = mapped_column(String(200))
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), index=True)
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionSeats(Versioned, Base):
    """The seats of one way of attending a session. Registrations lock this row (FOR UPDATE on
    PostgreSQL; SQLite's writers are serialised) to count themselves in: `arrivals` numbers them
    in the order the database saw them, `confirmed` never passes `capacity`."""

    __tablename__ = "session_seats"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("training_sessions.id"), primary_key=True
    )
    mode: Mapped[str] = mapped_column(String(20), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    confirmed: Mapped[int] = mapped_column(Integer)
    arrivals: Mapped[int] = mapped_column(Integer)
