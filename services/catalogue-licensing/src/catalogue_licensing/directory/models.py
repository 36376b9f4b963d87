"""Tables of the organisation directory: countries, counties, municipalities, libraries, populations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalogue_licensing.db import Base
from catalogue_licensing.directory.isil import isil_key
from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime


class Country(Base):
    __tablename__ = "countries"

    # ISO 3166-1 alpha-2: NO, BE, NL.
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    # Multilingual: {"nb": "Norge", "en": "Norway", ...}.
    name: Mapped[dict[str, Any]] = mapped_column(JSONDoc)


class County(Versioned, Base):
    """A county (fylke), province or region: the unit that joins agreements and shares their cost."""

    __tablename__ = "counties"
    __table_args__ = (UniqueConstraint("country_code", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    # The official number, a string: leading zeros matter ("03").
    number: Mapped[str] = mapped_column(String(10))
    # Multilingual: {"nb": "Nordland", "se": "Nordlánnda"}.
    name: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    populations: Mapped[list[CountyPopulation]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CountyPopulation.year"
    )


class CountyPopulation(Base):
    __tablename__ = "county_populations"

    county_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("counties.id", ondelete="CASCADE"), primary_key=True
    )
    # Residents on 1 January of this year.
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    population: Mapped[int] = mapped_column(Integer)


class Municipality(Versioned, Base):
    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("country_code", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    number: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    county_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("counties.id"), index=True)
    # The numbers of the municipalities merged into this one (Flanders, 1 January 2025), the
    # number it kept among them; None when it came from no merger.
    merged_from: Mapped[list[str] | None] = mapped_column(JSONDoc, nullable=True, default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    county: Mapped[County] = relationship(lazy="raise")
    populations: Mapped[list[MunicipalityPopulation]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="MunicipalityPopulation.year"
    )


class MunicipalityPopulation(Base):
    __tablename__ = "municipality_populations"

    municipality_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    population: Mapped[int] = mapped_column(Integer)


def _isil_key_of_row(context: Any) -> str:
    return isil_key(str(context.get_current_parameters()["isil"]))


class Library(Versioned, Base):
    __tablename__ = "libraries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # ISO 15511, e.g. NO-2030000 or DE-Bo133, kept as written; unique across the platform.
    isil: Mapped[str] = mapped_column(String(16), unique=True)
    # What it is matched by (directory.isil.isil_key): unique, so DE-Bo133 and DE-BO133 are one.
    # Filled from `isil` by every insert that does not give it.
    isil_key: Mapped[str] = mapped_column(String(16), unique=True, default=_isil_key_of_row)
    name: Mapped[str] = mapped_column(String(200))
    # "public" or "school".
    kind: Mapped[str] = mapped_column(String(10))
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipalities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    municipality: Mapped[Municipality] = relationship(lazy="raise")
