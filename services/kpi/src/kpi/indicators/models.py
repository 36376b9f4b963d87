"""The indicators table: each figure's definition, keyed by its code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from kpi.db import Base


class Indicator(Versioned, Base):
    __tablename__ = "indicators"

    # Stable, lower case: "loans", "cost_per_use".
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    # {"en": "Loans", "nb": "Utlån"}.
    name: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    description: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    unit: Mapped[str] = mapped_column(String(60))
    # count, amount, ratio, duration.
    value_type: Mapped[str] = mapped_column(String(10))
    # sum, ratio, weighted_mean, last, distinct.
    rollup: Mapped[str] = mapped_column(String(15))
    # A ratio's parts (ratio of sums), a weighted mean's weight.
    numerator: Mapped[str | None] = mapped_column(ForeignKey("indicators.code"))
    denominator: Mapped[str | None] = mapped_column(ForeignKey("indicators.code"))
    weight: Mapped[str | None] = mapped_column(ForeignKey("indicators.code"))
    # year, quarter, month, week: the period an observation of it covers.
    periodicity: Mapped[str] = mapped_column(String(10))
    # entered, harvested, counter, directory, derived.
    source: Mapped[str] = mapped_column(String(10))
    # "ISO 2789:2022, loans" where the standards define it.
    iso_reference: Mapped[str | None] = mapped_column(String(200))
    # Public outputs hide a cell below this (small numbers that could identify people).
    suppression_threshold: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
