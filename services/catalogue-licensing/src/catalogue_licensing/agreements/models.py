"""Tables of agreements, the counties' participation in them, and the cost shares that follow."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue_licensing.db import Base, metadata
from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime

if TYPE_CHECKING:
    from catalogue_licensing.directory.models import Library

# Which of a participating county's libraries and schools take part.
participation_libraries = Table(
    "participation_libraries",
    metadata,
    Column(
        "participation_id",
        ForeignKey("participations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("library_id", ForeignKey("libraries.id"), primary_key=True, index=True),
)


class Agreement(Versioned, Base):
    __tablename__ = "agreements"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    # Inclusive last day of the contract period.
    period_end: Mapped[date] = mapped_column(Date)
    # The yearly price in minor units (øre, cent) of `currency` (ISO 4217).
    yearly_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Multilingual terms: {lang: text}.
    terms: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    # per_inhabitant | equal | fixed_weights
    split_key: Mapped[str] = mapped_column(String(20))
    # For fixed_weights: {county_number: positive integer weight}; otherwise null.
    weights: Mapped[dict[str, int] | None] = mapped_column(JSONDoc, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    participations: Mapped[list[Participation]] = relationship(
        lazy="raise", back_populates="agreement", cascade="all, delete-orphan"
    )


class Participation(Versioned, Base):
    """One county's participation in one agreement."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("agreement_id", "county_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    county_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counties.id"), index=True)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agreement: Mapped[Agreement] = relationship(lazy="raise", back_populates="participations")
    libraries: Mapped[list[Library]] = relationship(secondary=participation_libraries, lazy="raise")


class CostShare(Base):
    """A county's share of an agreement's yearly price; recomputed whenever participation, the
    agreement's cost terms, or (per inhabitant) the population it was computed from changes."""

    __tablename__ = "cost_shares"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True
    )
    county_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counties.id"), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # What the share was computed from: population (per_inhabitant), weight, or 1 (equal).
    basis: Mapped[int] = mapped_column(BigInteger)
    # per_inhabitant: the year whose population is `basis` (the latest up to the contract year);
    # kept, not worked out at read time, so it always names what the amount was computed from.
    population_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
