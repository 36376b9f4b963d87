"""Datasets: a named selection of indicators, organisations and periods, for an audience."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from kpi.db import Base


class Dataset(Versioned, Base):
    __tablename__ = "datasets"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    # public, partners, internal.
    audience: Mapped[str] = mapped_column(String(10))
    # draft → published (→ withdrawn).
    status: Mapped[str] = mapped_column(String(10), index=True)
    # Indicator codes; organisation ids (as text); ISO 8601 periods, in the order chosen.
    indicators: Mapped[list[Any]] = mapped_column(JSONDoc)
    organisations: Mapped[list[Any]] = mapped_column(JSONDoc)
    periods: Mapped[list[Any]] = mapped_column(JSONDoc)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
