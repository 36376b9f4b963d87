"""Changing a library: who may change which, its place, its audit and events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, String, Uuid, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from catalogue_licensing.db import trail
from catalogue_licensing.directory.access import (
    in_managed_county,
    managed_county,
    require_managed,
)
from catalogue_licensing.directory.errors import (
    BodyCodeNotOfCountry,
    BodyUnknownCountry,
    DuplicateIsil,
    IsilCountryMismatch,
    LibraryNotFound,
    UnknownMunicipality,
)
from catalogue_licensing.directory.events import (
    LibraryCreated,
    LibraryUpdated,
)
from catalogue_licensing.directory.followers import FOLLOWERS, LibraryMove
from catalogue_licensing.directory.isil import isil_country, isil_key
from catalogue_licensing.directory.models import (
    Country,
    County,
    Library,
    Municipality,
)
from catalogue_licensing.directory.schemas import (
    LibraryIn,
    LibraryOut,
    LibraryPatch,
)
from catalogue_licensing.directory.views import audited, library_view
from chassis.area_codes import code_problem
from chassis.audit import Change, changed_fields
from chassis.auth import Principal
from chassis.concurrency import etag
from chassis.ids import uuid7
from chassis.sql import Prepared, Transaction
from chassis.types import UTCDateTime, utcnow


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
    if await session.get(Country, body.country) is None:
        raise BodyUnknownCountry("country", f"the directory holds no country {body.country!r}")
    if (problem := code_problem(body.country, "municipality", body.municipality)) is not None:
        raise BodyCodeNotOfCountry("municipality", problem)
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
        change=Change("library", library.isil, before=None, after=audited(view)),
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
        if (
            problem := code_problem(library.country, "municipality", body.municipality)
        ) is not None:
            raise BodyCodeNotOfCountry("municipality", problem)
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
    before, after = audited(library.view()), audited(moved.view())
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
