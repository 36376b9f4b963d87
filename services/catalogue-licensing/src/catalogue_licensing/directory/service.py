"""Reading the organisation directory: countries, counties, municipalities, libraries."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from catalogue_licensing.directory.errors import (
    AmbiguousCounty,
    CodeNotOfCountry,
    CountryNotFound,
    CountyNotFound,
    LibraryNotFound,
    MunicipalityNotFound,
    UnknownCountry,
)
from catalogue_licensing.directory.isil import isil_key
from catalogue_licensing.directory.models import (
    Country,
    County,
    CountyPopulation,
    Library,
    Municipality,
)
from chassis.area_codes import code_problem
from chassis.sql import Prepared, Transaction


async def list_countries(session: AsyncSession) -> Sequence[Country]:
    return (await session.scalars(select(Country).order_by(Country.code))).all()


async def get_country(session: AsyncSession, *, code: str) -> Country:
    country = await session.get(Country, code)
    if country is None:
        raise CountryNotFound(f"No country {code} in the directory")
    return country


_COUNTRY_KNOWN = Prepared(
    select(Country.__table__.c.code).where(
        Country.__table__.c.code == bindparam("code", type_=String)
    )
)


async def require_country(tx: Transaction | AsyncSession, country: str | None) -> None:
    """404 naming `query.country` when the directory holds no such country (a filter on one
    would only answer an empty list, which reads as "none there")."""
    if country is None:
        return
    if isinstance(tx, AsyncSession):
        known = await tx.get(Country, country) is not None
    else:
        known = await tx.row(_COUNTRY_KNOWN, code=country) is not None
    if not known:
        raise UnknownCountry.at(
            "query.country", f"the directory holds no country {country!r} (see /v1/countries)"
        )


def require_code(country: str | None, level: str, code: str | None, *, location: str) -> None:
    """404 at `location` when `code` is not in the form of `country`'s `level` codes (NIS, CBS,
    Norway's numbers): such an area cannot exist there, and the answer says which form would.
    (A code in no country's form is refused by the schema's pattern, `any_form`: 422.)"""
    if code is None or country is None:
        return
    if (problem := code_problem(country, level, code)) is not None:
        raise CodeNotOfCountry.at(location, problem)


@cache
def _county_page(*, by_country: bool, after: bool) -> Prepared:
    """A page of counties with their populations, one row per county and year (a county without
    populations once, with nulls), ordered by country and number, then year."""
    counties, populations = County.__table__, CountyPopulation.__table__
    page = select(
        counties.c.id,
        counties.c.country_code,
        counties.c.number,
        counties.c.name,
        counties.c.version,
        counties.c.updated_at,
    )
    if by_country:
        page = page.where(counties.c.country_code == bindparam("country", type_=String))
    if after:
        after_country = bindparam("after_country", type_=String)
        page = page.where(
            (counties.c.country_code > after_country)
            | (
                (counties.c.country_code == after_country)
                & (counties.c.number > bindparam("after_number", type_=String))
            )
        )
    cut = (
        page.order_by(counties.c.country_code, counties.c.number)
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    return Prepared(
        select(
            cut.c.country_code,
            cut.c.number,
            cut.c.name,
            cut.c.version,
            cut.c.updated_at,
            populations.c.year,
            populations.c.population,
        )
        .outerjoin(populations, populations.c.county_id == cut.c.id)
        .order_by(cut.c.country_code, cut.c.number, populations.c.year)
    )


async def county_page(
    tx: Transaction, *, country: str | None, after: tuple[str, str] | None, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` counties as `CountyOut` documents, in the order of the list."""
    query = _county_page(by_country=country is not None, after=after is not None)
    rows = await tx.rows(
        query,
        country=country,
        after_country=after[0] if after else None,
        after_number=after[1] if after else None,
        limit=limit,
    )
    views: list[dict[str, Any]] = []
    last: tuple[str, str] | None = None
    for row in rows:
        if (row["country_code"], row["number"]) != last:
            last = (row["country_code"], row["number"])
            views.append(
                {
                    "country": row["country_code"],
                    "number": row["number"],
                    "name": row["name"],
                    "populations": [],
                    "version": row["version"],
                    "updated_at": row["updated_at"],
                }
            )
        if row["year"] is not None:
            views[-1]["populations"].append({"year": row["year"], "population": row["population"]})
    return views


async def get_county(session: AsyncSession, *, country: str, number: str) -> County:
    county = await session.scalar(
        select(County)
        .options(selectinload(County.populations))
        .where(County.country_code == country, County.number == number)
    )
    if county is None:
        raise CountyNotFound(f"No county {number} in {country}")
    return county


def _municipalities() -> Select[Municipality]:
    return select(Municipality).options(
        joinedload(Municipality.county), selectinload(Municipality.populations)
    )


async def list_municipalities(
    session: AsyncSession,
    *,
    country: str | None,
    county: str | None,
    after: tuple[str, str] | None,
    limit: int,
) -> Sequence[Municipality]:
    query = _municipalities().order_by(Municipality.country_code, Municipality.number).limit(limit)
    if country is not None:
        query = query.where(Municipality.country_code == country)
    if county is not None:
        counties = select(County.id).where(County.number == county)
        if country is not None:
            counties = counties.where(County.country_code == country)
        query = query.where(Municipality.county_id.in_(counties))
    if after is not None:
        query = query.where(
            (Municipality.country_code > after[0])
            | ((Municipality.country_code == after[0]) & (Municipality.number > after[1]))
        )
    return (await session.scalars(query)).unique().all()


async def get_municipality(session: AsyncSession, *, country: str, number: str) -> Municipality:
    municipality = await session.scalar(
        _municipalities().where(Municipality.country_code == country, Municipality.number == number)
    )
    if municipality is None:
        raise MunicipalityNotFound(f"No municipality {number} in {country}")
    return municipality


def _libraries() -> Select[Library]:
    return (
        select(Library)
        .join(Library.municipality)
        .join(Municipality.county)
        .options(joinedload(Library.municipality).joinedload(Municipality.county))
    )


async def list_libraries(
    session: AsyncSession,
    *,
    country: str | None = None,
    county: str | None,
    municipality: str | None,
    kind: str | None,
    after_isil: str | None,
    limit: int,
) -> Sequence[Library]:
    query = _libraries().order_by(Library.isil).limit(limit)
    if country is not None:
        query = query.where(Municipality.country_code == country)
    if county is not None:
        query = query.where(County.number == county)
    if municipality is not None:
        query = query.where(Municipality.number == municipality)
    if kind is not None:
        query = query.where(Library.kind == kind)
    if after_isil is not None:
        query = query.where(Library.isil > after_isil)
    return (await session.scalars(query)).unique().all()


async def get_library(session: AsyncSession, *, isil: str) -> Library:
    library = await session.scalar(_libraries().where(Library.isil_key == isil_key(isil)))
    if library is None:
        raise LibraryNotFound(f"No library {isil}")
    return library


async def county_by_number(session: AsyncSession, number: str) -> County:
    """The county a bare number names (the agreements' paths carry no country)."""
    counties = (await session.scalars(select(County).where(County.number == number))).all()
    if not counties:
        raise CountyNotFound(f"No county numbered {number}")
    if len(counties) > 1:
        raise AmbiguousCounty(
            f"County number {number} exists in several countries; it cannot name one county"
        )
    return counties[0]
