"""A cursor per feed, and the events already applied (idempotent by event id)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from kpi.db import Base


class FeedCursor(Versioned, Base):
    __tablename__ = "feed_cursors"

    # "catalogue": the feed's name.
    feed: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The `seq` of the last event applied: the next page is read `after` it.
    after: Mapped[int] = mapped_column(BigInteger)
    events_applied: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HarvestedEvent(Base):
    """An event applied: a second delivery of the same id changes nothing."""

    __tablename__ = "harvested_events"

    feed: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(100))
    harvested_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HarvestedFact(Base):
    """What one subject of another service's feed counts for (a ticket, a call, a registration,
    an attendance): its library and month as first seen, its value as the latest event says. An
    indicator's monthly figure for a library is the sum of its facts, so a corrected attendance
    or a cancelled registration changes the figure instead of adding to it."""

    __tablename__ = "harvested_facts"
    __table_args__ = (Index("ix_harvested_facts_place", "isil", "indicator", "month"),)

    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    isil: Mapped[str] = mapped_column(String(32))
    # The month's first day.
    month: Mapped[date] = mapped_column(Date)
    value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
