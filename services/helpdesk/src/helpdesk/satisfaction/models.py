"""The ratings table: one rating per ticket, by its requester."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from helpdesk.db import Base


class Rating(Versioned, Base):
    __tablename__ = "satisfaction_ratings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Unique: a ticket is rated once, also when two requests race.
    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id"), unique=True)
    library_isil: Mapped[str] = mapped_column(String(20))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_services.id"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rater: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
