"""Rules of the organisation directory: who may change which library, and population by year."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, String, Uuid, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from catalogue_licensing.db import trail
from catalogue_licensing.directory.access import (
    in_managed_county,
    managed_county,
    require_managed,
)
from catalogue_licensing.directory.errors import (
    AmbiguousCounty,
    CountyNotFound,
    DuplicateIsil,
    IsilCountryMismatch,
    LibraryNotFound,
    MunicipalityNotFound,
    UnknownMunicipality,
)
from catalogue_licensing.directory.events import (
    CountyPopulationSet,
    LibraryCreated,
    LibraryUpdated,
    MunicipalityPopulationSet,
)
from catalogue_licensing.directory.followers import FOLLOWERS, LibraryMove
from catalogue_licensing.directory.isil import isil_country, isil_key
from catalogue_licensing.directory.models import (
    County,
    CountyPopulation,
    Library,
    Municipality,
    MunicipalityPopulation,
)
from catalogue_licensing.directory.schemas import (
    CountyOut,
    LibraryIn,
    LibraryOut,
    LibraryPatch,
    MunicipalityOut,
    PopulationOut,
)
from chassis.audit import Change, changed_fields
from chassis.auth import Principal
from chassis.concurrency import etag
from chassis.ids import uuid7
from chassis.sql import Prepared, Transaction
from chassis.types import UTCDateTime, utcnow

# Fields that change on every write and say nothing about what changed.
_UNAUDITED = frozenset({"version", "created_at", "updated_at"})


# ---------------------------------------------------------------- views


def county_view(county: County) -> CountyOut:
    return CountyOut(
        country=county.country_code,
        number=county.number,
        name=dict(county.name),
        populations=[
            PopulationOut(year=p.year, population=p.population)
            for p in sorted(county.populations, key=lambda p: p.year)
        ],
        version=county.version,
        updated_at=county.updated_at,
    )


def municipality_view(municipality: Municipality) -> MunicipalityOut:
    return MunicipalityOut(
        country=municipality.country_code,
        number=municipality.number,
        name=municipality.name,
        county=municipality.county.number,
        populations=[
            PopulationOut(year=p.year, population=p.population)
            for p in sorted(municipality.populations, key=lambda p: p.year)
        ],
        version=municipality.version,
        updated_at=municipality.updated_at,
    )


def library_view(library: Library) -> LibraryOut:
    return LibraryOut(
        id=library.id,
        isil=library.isil,
        name=library.name,
        kind=library.kind,  # only "public" or "school" is ever stored
        country=library.municipality.country_code,
        municipality=library.municipality.number,
        county=library.municipality.county.number,
        version=library.version,
        created_at=library.created_at,
        updated_at=library.updated_at,
    )


def _audited(view: LibraryOut | CountyOut | MunicipalityOut) -> dict[str, Any]:
    return view.model_dump(mode="json", exclude=set(_UNAUDITED))


# ---------------------------------------------------------------- reads


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
        query = query.where(
            Municipality.county_id.in_(select(County.id).where(County.number == county))
        )
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
    county: str | None,
    municipality: str | None,
    kind: str | None,
    after_isil: str | None,
    limit: int,
) -> Sequence[Library]:
    query = _libraries().order_by(Library.isil).limit(limit)
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


@dataclass(frozen=True, slots=True)
class LibraryRecord:
    """A library as a change reads it, with its place: a row read on the driver (no ORM)."""

    id: uuid.UUID
    isil: str
    name: str
    kind: str
    version: int
    created_at: datetime
    updated_at: datetime
    country: str
    municipality: str
    county: str
    municipality_id: uuid.UUID
    county_id: uuid.UUID

    @property
    def etag(self) -> str:
        return etag(self.version)

    def view(self) -> LibraryOut:
        return LibraryOut(
            id=self.id,
            isil=self.isil,
            name=self.name,
            kind=self.kind,  # only "public" or "school" is ever stored
            country=self.country,
            municipality=self.municipality,
            county=self.county,
            version=self.version,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


_LIBRARIES, _MUNICIPALITIES, _COUNTIES = (
    Library.__table__,
    Municipality.__table__,
    County.__table__,
)


@cache
def _library_record(*, scoped: bool) -> Prepared:
    """A library by ISIL with its place, in the caller's county when `scoped`."""
    libraries, municipalities, counties = _LIBRARIES, _MUNICIPALITIES, _COUNTIES
    query = (
        select(
            libraries.c.id,
            libraries.c.isil,
            libraries.c.name,
            libraries.c.kind,
            libraries.c.version,
            libraries.c.created_at,
            libraries.c.updated_at,
            municipalities.c.country_code.label("country"),
            municipalities.c.number.label("municipality"),
            counties.c.number.label("county"),
            libraries.c.municipality_id,
            municipalities.c.county_id,
        )
        .join(municipalities, municipalities.c.id == libraries.c.municipality_id)
        .join(counties, counties.c.id == municipalities.c.county_id)
        .where(libraries.c.isil_key == bindparam("isil_key", type_=String))
    )
    if scoped:
        query = query.where(in_managed_county())
    return Prepared(query)


async def library_for_change(tx: Transaction, *, principal: Principal, isil: str) -> LibraryRecord:
    """The library the caller may change; another county's library is 404 to a county admin, the
    same answer as for a library that does not exist, so its existence is not confirmed."""
    county = managed_county(principal)
    row = await tx.row(
        _library_record(scoped=county is not None), isil_key=isil_key(isil), managed_county=county
    )
    if row is None:
        raise LibraryNotFound(f"No library {isil} that you manage")
    return LibraryRecord(**row)


# ---------------------------------------------------------------- library writes


async def _municipality_in_scope(
    session: AsyncSession, *, principal: Principal, country: str, number: str
) -> Municipality:
    """The municipality a library is placed in; the caller must manage its county.

    A municipality of another county is refused with 403, not 404: municipalities are public,
    so hiding one would only mislead.
    """
    municipality = await session.scalar(
        select(Municipality)
        .options(joinedload(Municipality.county))
        .where(Municipality.country_code == country, Municipality.number == number)
    )
    if municipality is None:
        raise UnknownMunicipality("municipality", f"there is no municipality {number} in {country}")
    require_managed(principal, municipality=number, county=municipality.county.number)
    return municipality


_MUNICIPALITY_PLACE = Prepared(
    select(
        _MUNICIPALITIES.c.id,
        _MUNICIPALITIES.c.county_id,
        _COUNTIES.c.number.label("county"),
    )
    .join(_COUNTIES, _COUNTIES.c.id == _MUNICIPALITIES.c.county_id)
    .where(
        _MUNICIPALITIES.c.country_code == bindparam("country", type_=String),
        _MUNICIPALITIES.c.number == bindparam("number", type_=String),
    )
)

_UPDATE_LIBRARY = Prepared(
    update(Library)
    .where(
        _LIBRARIES.c.id == bindparam("library_id", type_=Uuid),
        _LIBRARIES.c.version == bindparam("version", type_=Integer),
    )
    .values(
        name=bindparam("name", type_=String),
        kind=bindparam("kind", type_=String),
        municipality_id=bindparam("municipality_id", type_=Uuid),
        updated_at=bindparam("updated_at", type_=UTCDateTime),
        version=_LIBRARIES.c.version + 1,
    )
)


async def create_library(
    session: AsyncSession, *, principal: Principal, body: LibraryIn, request_id: str | None
) -> Library:
    prefix_country = isil_country(body.isil)
    if prefix_country is not None and prefix_country != body.country:
        raise IsilCountryMismatch(
            "isil",
            f"the ISIL's prefix names {prefix_country}, but the library is in {body.country}",
        )
    municipality = await _municipality_in_scope(
        session, principal=principal, country=body.country, number=body.municipality
    )
    same = select(Library.id).where(Library.isil_key == isil_key(body.isil))
    if await session.scalar(same) is not None:
        raise DuplicateIsil("isil", f"a library {body.isil} exists already")
    now = utcnow()
    library = Library(
        id=uuid7(),
        isil=body.isil,
        name=body.name,
        kind=body.kind,
        municipality_id=municipality.id,
        municipality=municipality,
        created_at=now,
        updated_at=now,
    )
    session.add(library)
    await session.flush()
    view = library_view(library)
    await trail.announce(
        session,
        LibraryCreated(
            isil=library.isil, kind=view.kind, municipality=view.municipality, county=view.county
        ),
        principal=principal,
        change=Change("library", library.isil, before=None, after=_audited(view)),
        subject=str(library.id),
        request_id=request_id,
    )
    return library


async def update_library(
    tx: Transaction,
    *,
    principal: Principal,
    library: LibraryRecord,
    body: LibraryPatch,
    request_id: str | None,
) -> LibraryRecord:
    """Change a library's name, kind or municipality; answers the library as it now is (the
    same record when nothing changed: no write, the version and the ETag stay)."""
    changes = body.sent()
    moved = replace(
        library, name=changes.get("name", library.name), kind=changes.get("kind", library.kind)
    )
    if body.municipality is not None and body.municipality != library.municipality:
        place = await tx.row(_MUNICIPALITY_PLACE, country=library.country, number=body.municipality)
        if place is None:
            raise UnknownMunicipality(
                "municipality", f"there is no municipality {body.municipality} in {library.country}"
            )
        require_managed(principal, municipality=body.municipality, county=place["county"])
        if place["county_id"] != library.county_id:
            # Another domain may hold the library to its county (agreements: a participant).
            await FOLLOWERS.library_moving(
                tx, LibraryMove(library.id, library.isil, library.county, place["county"])
            )
        moved = replace(
            moved,
            municipality=body.municipality,
            municipality_id=place["id"],
            county=place["county"],
            county_id=place["county_id"],
        )
    before, after = _audited(library.view()), _audited(moved.view())
    changed = changed_fields(before, after)
    if not changed:
        return library
    now = utcnow()
    await tx.update_versioned(
        _UPDATE_LIBRARY,
        library_id=library.id,
        version=library.version,
        name=moved.name,
        kind=moved.kind,
        municipality_id=moved.municipality_id,
        updated_at=now,
    )
    await trail.announce(
        tx,
        LibraryUpdated(
            isil=library.isil, changed=changed, municipality=moved.municipality, county=moved.county
        ),
        principal=principal,
        change=Change("library", library.isil, before=before, after=after),
        subject=str(library.id),
        request_id=request_id,
    )
    return replace(moved, version=library.version + 1, updated_at=now)


# ---------------------------------------------------------------- populations


def merge_populations(area: County | Municipality, wanted: dict[int, int]) -> list[int]:
    """Add the years `area` lacks and correct the ones that differ; other years are kept.

    Returns the years whose population changed, oldest first.
    """
    have = {p.year: p for p in area.populations}
    changed: list[int] = []
    for year, population in sorted(wanted.items()):
        row = have.get(year)
        if row is not None and row.population == population:
            continue
        if row is not None:
            row.population = population
        elif isinstance(area, County):
            area.populations.append(CountyPopulation(year=year, population=population))
        else:
            area.populations.append(MunicipalityPopulation(year=year, population=population))
        changed.append(year)
    return changed


def area_kind(area: County | Municipality) -> str:
    return "county" if isinstance(area, County) else "municipality"


def area_resource_id(area: County | Municipality) -> str:
    # Numbers repeat across countries; the country makes the audit trail's id unique.
    return f"{area.country_code}-{area.number}"


def area_view(area: County | Municipality) -> CountyOut | MunicipalityOut:
    return county_view(area) if isinstance(area, County) else municipality_view(area)


async def set_population(
    session: AsyncSession,
    *,
    principal: Principal,
    area: County | Municipality,
    year: int,
    population: int,
    request_id: str | None,
) -> None:
    """Set a county's or municipality's population of one year (a repeat changes nothing).

    A county's new population recomputes, in this transaction, the shares of the per_inhabitant
    agreements whose basis it moves; a split that then becomes impossible refuses the change (409).
    """
    before = _audited(area_view(area))
    if not merge_populations(area, {year: population}):
        return
    # Touching the area bumps its version, so its ETag changes with its populations.
    area.updated_at = utcnow()
    await session.flush()
    event = CountyPopulationSet if isinstance(area, County) else MunicipalityPopulationSet
    await trail.announce(
        session,
        event(number=area.number, year=year, population=population),
        principal=principal,
        change=Change(
            area_kind(area), area_resource_id(area), before=before, after=_audited(area_view(area))
        ),
        subject=str(area.id),
        request_id=request_id,
    )
    # Only a county's population is a basis of cost shares (per inhabitant, by county); a
    # municipality's is kept for the directory and moves no share.
    if isinstance(area, County):
        await FOLLOWERS.population_changed(
            session, county_ids=[area.id], principal=principal, request_id=request_id
        )


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
