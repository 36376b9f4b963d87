"""Private feed tokens: a person's calendar URL holds one; only its hash is kept."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from training.db import Base


class FeedToken(Versioned, Base):
    __tablename__ = "calendar_feed_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person: Mapped[str] = mapped_column(String(200), index=True)
    # SHA-256 of the token, hex: the token itself is shown once, when it is made.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
