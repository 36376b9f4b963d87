"""Observations (the figure as it stands) and their revisions (every figure it has been)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import BigIntPK, UTCDateTime
from kpi.db import Base


class Observation(Versioned, Base):
    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("indicator_code", "organisation_id", "period"),
        Index("ix_observations_organisation_period", "organisation_id", "period_start"),
        # A roll-up's sums read from the index alone (docs/decisions/0043).
        Index(
            "ix_observations_indicator_sums",
            "indicator_code",
            "organisation_id",
            "period_start",
            "period_end",
            "value",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    # ISO 8601 as written ("2025-03"), its kind, and its first and last day for range queries.
    period: Mapped[str] = mapped_column(String(8))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    # provisional, final.
    status: Mapped[str] = mapped_column(String(12))
    # entered, import, harvest, counter: how the current figure arrived.
    source: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ObservationRevision(Base):
    """One figure an observation has had, from `recorded_at` until the next revision: never
    changed, so `as_of` can answer the figure as it stood on any date."""

    __tablename__ = "observation_revisions"
    __table_args__ = (UniqueConstraint("observation_id", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observations.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
