"""The organisations the figures belong to, one hierarchy, and their population per year."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from kpi.db import Base


class Organisation(Versioned, Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("level", "country_code", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # library, municipality, county, country.
    level: Mapped[str] = mapped_column(String(12))
    # Its natural code: ISIL, municipality or county number (NIS, CBS), ISO 3166 country code.
    code: Mapped[str] = mapped_column(String(16), index=True)
    country_code: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The number of the county it lies in (its own for a county): the scope of a county admin.
    county_code: Mapped[str | None] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    populations: Mapped[list[Population]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Population.year"
    )


class Population(Base):
    __tablename__ = "populations"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    # Residents on 1 January of this year.
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    population: Mapped[int] = mapped_column(Integer)
