"""Loading the directory's reference files (counties, municipalities, libraries, populations):
every row checked before anything is written, then inserted or brought up to date, idempotently."""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalogue_licensing.db import outbox
from catalogue_licensing.directory.events import LibraryCreated
from catalogue_licensing.directory.followers import FOLLOWERS
from catalogue_licensing.directory.isil import isil_country, isil_key, isil_problem
from catalogue_licensing.directory.models import (
    Country,
    County,
    CountyPopulation,
    Library,
    Municipality,
    MunicipalityPopulation,
)
from catalogue_licensing.directory.populations import merge_populations
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.problems import ProblemError
from chassis.types import utcnow

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
COUNTRY = "NO"
COUNTRY_NAME = {"nb": "Norge", "nn": "Noreg", "en": "Norway", "se": "Norga"}
_POPULATION_COLUMN = re.compile(r"^population_(\d{4})$")
_COUNTY_NUMBER = re.compile(r"^\d{2}$")
_MUNICIPALITY_NUMBER = re.compile(r"^\d{4}$")
_KINDS = frozenset({"public", "school"})
# Whom the audit trail names for what a load changes, when the caller names no one.
REFERENCE_LOADER = Principal(subject="reference-load", roles=frozenset({"programme_admin"}))


@dataclass(frozen=True)
class ReferenceFiles:
    counties: Path = REFERENCE_DIR / "no-counties.csv"
    county_name_languages: Path = REFERENCE_DIR / "no-county-name-languages.csv"
    municipalities: Path = REFERENCE_DIR / "no-municipalities.csv"
    libraries: Path = REFERENCE_DIR / "libraries-sample.csv"


@dataclass(frozen=True)
class CountyRow:
    number: str
    name: dict[str, str]
    populations: dict[int, int]


@dataclass(frozen=True)
class MunicipalityRow:
    number: str
    name: str
    county: str
    populations: dict[int, int]
    # The numbers of the municipalities merged into it (Flanders, 2025), if any.
    merged_from: tuple[str, ...] | None = None


@dataclass(frozen=True)
class LibraryRow:
    isil: str
    name: str
    kind: str
    municipality: str


@dataclass(frozen=True)
class ReferenceData:
    counties: list[CountyRow]
    municipalities: list[MunicipalityRow]
    libraries: list[LibraryRow]


@dataclass
class LoadReport:
    """What a load changed; all zero on a second run with the same files."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, inserted: bool) -> None:
        target = self.inserted if inserted else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)

    def summary(self) -> str:
        def part(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"

        return f"inserted {part(self.inserted)}; updated {part(self.updated)}"


class ReferenceDataError(ValueError):
    """The files hold rows that cannot be loaded; nothing was written (raised while loading, the
    caller's transaction must roll back what the load had done)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


def read_populations(
    path: Path, line: int, row: dict[str, str], problems: list[str]
) -> dict[int, int]:
    found: dict[int, int] = {}
    for column, value in row.items():
        match = _POPULATION_COLUMN.match(column)
        if match is None or value == "":
            continue
        if not value.isdigit():
            problems.append(f"{path.name}:{line}: {column} {value!r} is not a whole number")
            continue
        found[int(match.group(1))] = int(value)
    return found


def _county_names(path: Path, problems: list[str]) -> dict[tuple[str, str], str]:
    """(county number, parallel name) -> its language code."""
    languages: dict[tuple[str, str], str] = {}
    for line, row in read_rows(path):
        number, language, name = row.get("number", ""), row.get("language", ""), row.get("name", "")
        if not (number and re.fullmatch(r"[a-z]{2,3}", language) and name):
            problems.append(f"{path.name}:{line}: needs a number, a language code and a name")
            continue
        languages[(number, name)] = language
    return languages


def _parallel_names(
    where: str,
    number: str,
    parallel: str,
    languages: dict[tuple[str, str], str],
    files: ReferenceFiles,
    problems: list[str],
) -> dict[str, str]:
    """A county's parallel names ("A - B") by language; a name of unknown language is a problem."""
    names: dict[str, str] = {}
    for part in (p.strip() for p in parallel.split(" - ") if parallel):
        language = languages.get((number, part))
        if language is None:
            problems.append(
                f"{where}: the parallel name {part!r} of county {number} has no language "
                f"in {files.county_name_languages.name}"
            )
            continue
        names[language] = part
    return names


def _read_counties(files: ReferenceFiles, problems: list[str]) -> dict[str, CountyRow]:
    languages = _county_names(files.county_name_languages, problems)
    counties: dict[str, CountyRow] = {}
    for line, row in read_rows(files.counties):
        where = f"{files.counties.name}:{line}"
        number, name_nb = row.get("number", ""), row.get("name_nb", "")
        if not _COUNTY_NUMBER.match(number):
            problems.append(f"{where}: county number {number!r} is not two digits")
            continue
        if not name_nb:
            problems.append(f"{where}: county {number} has no name")
            continue
        if number in counties:
            problems.append(f"{where}: county {number} occurs twice")
            continue
        parallel = row.get("name_nn_or_sami_if_any", "")
        names = {"nb": name_nb} | _parallel_names(
            where, number, parallel, languages, files, problems
        )
        counties[number] = CountyRow(
            number, names, read_populations(files.counties, line, row, problems)
        )
    return counties


def _municipality_problem(
    number: str,
    name: str,
    county: str,
    seen: dict[str, MunicipalityRow],
    counties: dict[str, CountyRow],
) -> str | None:
    if not _MUNICIPALITY_NUMBER.match(number):
        return f"municipality number {number!r} is not four digits"
    if not name:
        return f"municipality {number} has no name"
    if number in seen:
        return f"municipality {number} occurs twice"
    if county not in counties:
        return f"municipality {number} names unknown county {county!r}"
    # Norway's standard: a municipality's number begins with its county's.
    if not number.startswith(county):
        return (
            f"municipality {number} cannot belong to county {county} "
            "(its number must begin with the county's)"
        )
    return None


def _read_municipalities(
    path: Path, counties: dict[str, CountyRow], problems: list[str]
) -> dict[str, MunicipalityRow]:
    municipalities: dict[str, MunicipalityRow] = {}
    for line, row in read_rows(path):
        number, name, county = (
            row.get("number", ""),
            row.get("name", ""),
            row.get("county_number", ""),
        )
        problem = _municipality_problem(number, name, county, municipalities, counties)
        if problem is not None:
            problems.append(f"{path.name}:{line}: {problem}")
            continue
        municipalities[number] = MunicipalityRow(
            number, name, county, read_populations(path, line, row, problems)
        )
    return municipalities


def _identity_problem(isil: str, country: str) -> str | None:
    """A malformed ISIL, or one (or a country column) naming a library outside this country."""
    reason = isil_problem(isil)
    if reason is None and (country != COUNTRY or isil_country(isil) not in (None, COUNTRY)):
        reason = f"{isil} is not a library in {COUNTRY}"
    return reason


def _library_problem(
    row: dict[str, str], seen: dict[str, LibraryRow], municipalities: dict[str, MunicipalityRow]
) -> str | None:
    isil, name, kind = row.get("isil", ""), row.get("name", ""), row.get("kind", "")
    municipality = row.get("municipality_number", "")
    reason = _identity_problem(isil, row.get("country", ""))
    if reason is not None:
        return reason
    if kind not in _KINDS:
        return f"kind {kind!r} is not public or school"
    if not name or len(name) > 200:
        return f"{isil} needs a name of at most 200 characters"
    if municipality not in municipalities:
        return f"{isil} names unknown municipality {municipality!r}"
    if isil in seen:
        return f"{isil} occurs twice"
    return None


def _read_libraries(
    path: Path, municipalities: dict[str, MunicipalityRow], problems: list[str]
) -> dict[str, LibraryRow]:
    libraries: dict[str, LibraryRow] = {}
    for line, row in read_rows(path):
        problem = _library_problem(row, libraries, municipalities)
        if problem is not None:
            problems.append(f"{path.name}:{line}: {problem}")
            continue
        isil = row["isil"]
        libraries[isil] = LibraryRow(isil, row["name"], row["kind"], row["municipality_number"])
    return libraries


def read_reference(files: ReferenceFiles) -> ReferenceData:
    """Parse and check every file; ReferenceDataError lists every bad row."""
    problems: list[str] = []
    counties = _read_counties(files, problems)
    municipalities = _read_municipalities(files.municipalities, counties, problems)
    libraries = _read_libraries(files.libraries, municipalities, problems)
    if problems:
        raise ReferenceDataError(problems)
    return ReferenceData(
        list(counties.values()), list(municipalities.values()), list(libraries.values())
    )


async def load_counties(
    session: AsyncSession,
    rows: list[CountyRow],
    report: LoadReport,
    now: datetime,
    *,
    country: str = COUNTRY,
) -> tuple[dict[str, County], list[uuid.UUID]]:
    """The counties (provinces) of `country` by number, and the ids of those whose populations
    changed."""
    existing = {
        c.number: c
        for c in await session.scalars(
            select(County)
            .options(selectinload(County.populations))
            .where(County.country_code == country)
        )
    }
    counties: dict[str, County] = {}
    moved_populations: list[uuid.UUID] = []
    for row in rows:
        county = existing.get(row.number)
        if county is None:
            county = County(
                id=uuid7(),
                country_code=country,
                number=row.number,
                name=row.name,
                updated_at=now,
                populations=[
                    CountyPopulation(year=y, population=p)
                    for y, p in sorted(row.populations.items())
                ],
            )
            session.add(county)
            report.count("counties", inserted=True)
        else:
            changed = bool(merge_populations(county, row.populations))
            if changed:
                moved_populations.append(county.id)
            if county.name != row.name:
                county.name = row.name
                changed = True
            if changed:
                county.updated_at = now
                report.count("counties", inserted=False)
        counties[row.number] = county
    await session.flush()
    return counties, moved_populations


async def load_municipalities(
    session: AsyncSession,
    rows: list[MunicipalityRow],
    counties: dict[str, County],
    report: LoadReport,
    now: datetime,
    *,
    country: str = COUNTRY,
) -> dict[str, Municipality]:
    existing = {
        m.number: m
        for m in await session.scalars(
            select(Municipality)
            .options(selectinload(Municipality.populations))
            .where(Municipality.country_code == country)
        )
    }
    municipalities: dict[str, Municipality] = {}
    for row in rows:
        municipality = existing.get(row.number)
        county_id = counties[row.county].id
        merged_from = None if row.merged_from is None else list(row.merged_from)
        if municipality is None:
            municipality = Municipality(
                id=uuid7(),
                country_code=country,
                number=row.number,
                name=row.name,
                county_id=county_id,
                merged_from=merged_from,
                updated_at=now,
                populations=[
                    MunicipalityPopulation(year=y, population=p)
                    for y, p in sorted(row.populations.items())
                ],
            )
            session.add(municipality)
            report.count("municipalities", inserted=True)
        else:
            changed = bool(merge_populations(municipality, row.populations))
            place = (municipality.name, municipality.county_id, municipality.merged_from)
            if place != (row.name, county_id, merged_from):
                municipality.name = row.name
                municipality.county_id = county_id
                municipality.merged_from = merged_from
                changed = True
            if changed:
                municipality.updated_at = now
                report.count("municipalities", inserted=False)
        municipalities[row.number] = municipality
    await session.flush()
    return municipalities


async def load_libraries(
    session: AsyncSession,
    data: ReferenceData,
    municipalities: dict[str, Municipality],
    report: LoadReport,
    now: datetime,
) -> None:
    """Register the libraries not registered yet; the others are the API's (see load_reference)."""
    county_of = {m.number: m.county for m in data.municipalities}
    known = set(await session.scalars(select(Library.isil_key)))
    for row in data.libraries:
        if isil_key(row.isil) in known:
            continue
        library = Library(
            id=uuid7(),
            isil=row.isil,
            name=row.name,
            kind=row.kind,
            municipality_id=municipalities[row.municipality].id,
            created_at=now,
            updated_at=now,
        )
        session.add(library)
        await session.flush()
        await record_event(
            session,
            outbox,
            LibraryCreated(
                isil=library.isil,
                kind=row.kind,
                municipality=row.municipality,
                county=county_of[row.municipality],
            ),
            subject=str(library.id),
        )
        report.count("libraries", inserted=True)


async def load_reference(
    session: AsyncSession, data: ReferenceData, *, principal: Principal = REFERENCE_LOADER
) -> LoadReport:
    """Insert what is missing and bring counties and municipalities up to date with the files.

    A county population that changes recomputes the per_inhabitant cost shares it is the basis of,
    in this transaction, as the API does (through the directory's population followers);
    `principal` is whom the audit trail names for that.

    Libraries already registered are left as they are: after registration the API owns them
    (a county administrator may have renamed one), so a reload never undoes that.
    """
    report = LoadReport()
    now = utcnow()
    if await session.get(Country, COUNTRY) is None:
        session.add(Country(code=COUNTRY, name=COUNTRY_NAME))
        report.count("countries", inserted=True)
    counties, moved_populations = await load_counties(session, data.counties, report, now)
    try:
        await FOLLOWERS.population_changed(
            session, county_ids=moved_populations, principal=principal, request_id=None
        )
    except ProblemError as exc:
        # The files are at fault, as for a bad row; the caller's transaction undoes the rest.
        raise ReferenceDataError([f"the new populations cannot be applied: {exc.detail}"]) from exc
    municipalities = await load_municipalities(session, data.municipalities, counties, report, now)
    await load_libraries(session, data, municipalities, report, now)
    return report
