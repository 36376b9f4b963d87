"""Loading the directory's reference files (counties, municipalities, libraries, populations):
every row checked before anything is written, then inserted or brought up to date, idempotently."""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalogue_licensing.agreements.cost_shares.service import follow_population_change
from catalogue_licensing.db import outbox
from catalogue_licensing.directory.events import LibraryCreated
from catalogue_licensing.directory.isil import isil_country, isil_problem
from catalogue_licensing.directory.models import (
    Country,
    County,
    CountyPopulation,
    Library,
    Municipality,
    MunicipalityPopulation,
)
from catalogue_licensing.directory.service import merge_populations
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


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _populations(path: Path, line: int, row: dict[str, str], problems: list[str]) -> dict[int, int]:
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
    for line, row in _rows(path):
        number, language, name = row.get("number", ""), row.get("language", ""), row.get("name", "")
        if not (number and re.fullmatch(r"[a-z]{2,3}", language) and name):
            problems.append(f"{path.name}:{line}: needs a number, a language code and a name")
            continue
        languages[(number, name)] = language
    return languages


def read_reference(files: ReferenceFiles) -> ReferenceData:
    """Parse and check every file; ReferenceDataError lists every bad row."""
    problems: list[str] = []
    languages = _county_names(files.county_name_languages, problems)

    counties: dict[str, CountyRow] = {}
    for line, row in _rows(files.counties):
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
        names = {"nb": name_nb}
        parallel = row.get("name_nn_or_sami_if_any", "")
        for part in (p.strip() for p in parallel.split(" - ") if parallel):
            language = languages.get((number, part))
            if language is None:
                problems.append(
                    f"{where}: the parallel name {part!r} of county {number} has no language "
                    f"in {files.county_name_languages.name}"
                )
                continue
            names[language] = part
        counties[number] = CountyRow(
            number, names, _populations(files.counties, line, row, problems)
        )

    municipalities: dict[str, MunicipalityRow] = {}
    for line, row in _rows(files.municipalities):
        where = f"{files.municipalities.name}:{line}"
        number, name, county = (
            row.get("number", ""),
            row.get("name", ""),
            row.get("county_number", ""),
        )
        if not _MUNICIPALITY_NUMBER.match(number):
            problems.append(f"{where}: municipality number {number!r} is not four digits")
            continue
        if not name:
            problems.append(f"{where}: municipality {number} has no name")
            continue
        if number in municipalities:
            problems.append(f"{where}: municipality {number} occurs twice")
            continue
        if county not in counties:
            problems.append(f"{where}: municipality {number} names unknown county {county!r}")
            continue
        # Norway's standard: a municipality's number begins with its county's.
        if not number.startswith(county):
            problems.append(
                f"{where}: municipality {number} cannot belong to county {county} "
                "(its number must begin with the county's)"
            )
            continue
        municipalities[number] = MunicipalityRow(
            number, name, county, _populations(files.municipalities, line, row, problems)
        )

    libraries: dict[str, LibraryRow] = {}
    for line, row in _rows(files.libraries):
        where = f"{files.libraries.name}:{line}"
        isil, name, kind = row.get("isil", ""), row.get("name", ""), row.get("kind", "")
        municipality, country = row.get("municipality_number", ""), row.get("country", "")
        reason = isil_problem(isil)
        if reason is not None:
            problems.append(f"{where}: {reason}")
            continue
        if country != COUNTRY or isil_country(isil) not in (None, COUNTRY):
            problems.append(f"{where}: {isil} is not a library in {COUNTRY}")
            continue
        if kind not in _KINDS:
            problems.append(f"{where}: kind {kind!r} is not public or school")
            continue
        if not name or len(name) > 200:
            problems.append(f"{where}: {isil} needs a name of at most 200 characters")
            continue
        if municipality not in municipalities:
            problems.append(f"{where}: {isil} names unknown municipality {municipality!r}")
            continue
        if isil in libraries:
            problems.append(f"{where}: {isil} occurs twice")
            continue
        libraries[isil] = LibraryRow(isil, name, kind, municipality)

    if problems:
        raise ReferenceDataError(problems)
    return ReferenceData(
        list(counties.values()), list(municipalities.values()), list(libraries.values())
    )


async def load_reference(
    session: AsyncSession, data: ReferenceData, *, principal: Principal = REFERENCE_LOADER
) -> LoadReport:
    """Insert what is missing and bring counties and municipalities up to date with the files.

    A county population that changes recomputes the per_inhabitant cost shares it is the basis of,
    in this transaction, as the API does; `principal` is whom the audit trail names for that.

    Libraries already registered are left as they are: after registration the API owns them
    (a county administrator may have renamed one), so a reload never undoes that.
    """
    report = LoadReport()
    now = utcnow()
    moved_populations: list[uuid.UUID] = []
    if await session.get(Country, COUNTRY) is None:
        session.add(Country(code=COUNTRY, name=COUNTRY_NAME))
        report.count("countries", inserted=True)

    existing_counties = {
        c.number: c
        for c in await session.scalars(
            select(County)
            .options(selectinload(County.populations))
            .where(County.country_code == COUNTRY)
        )
    }
    counties: dict[str, County] = {}
    for row in data.counties:
        county = existing_counties.get(row.number)
        if county is None:
            county = County(
                id=uuid7(),
                country_code=COUNTRY,
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
    try:
        await follow_population_change(
            session, county_ids=moved_populations, principal=principal, request_id=None
        )
    except ProblemError as exc:
        # The files are at fault, as for a bad row; the caller's transaction undoes the rest.
        raise ReferenceDataError([f"the new populations cannot be applied: {exc.detail}"]) from exc

    existing_municipalities = {
        m.number: m
        for m in await session.scalars(
            select(Municipality)
            .options(selectinload(Municipality.populations))
            .where(Municipality.country_code == COUNTRY)
        )
    }
    municipalities: dict[str, Municipality] = {}
    for m_row in data.municipalities:
        municipality = existing_municipalities.get(m_row.number)
        county_id = counties[m_row.county].id
        if municipality is None:
            municipality = Municipality(
                id=uuid7(),
                country_code=COUNTRY,
                number=m_row.number,
                name=m_row.name,
                county_id=county_id,
                updated_at=now,
                populations=[
                    MunicipalityPopulation(year=y, population=p)
                    for y, p in sorted(m_row.populations.items())
                ],
            )
            session.add(municipality)
            report.count("municipalities", inserted=True)
        else:
            changed = bool(merge_populations(municipality, m_row.populations))
            if (municipality.name, municipality.county_id) != (m_row.name, county_id):
                municipality.name = m_row.name
                municipality.county_id = county_id
                changed = True
            if changed:
                municipality.updated_at = now
                report.count("municipalities", inserted=False)
        municipalities[m_row.number] = municipality
    await session.flush()

    county_of = {m.number: m.county for m in data.municipalities}
    known = set(await session.scalars(select(Library.isil)))
    for l_row in data.libraries:
        if l_row.isil in known:
            continue
        library = Library(
            id=uuid7(),
            isil=l_row.isil,
            name=l_row.name,
            kind=l_row.kind,
            municipality_id=municipalities[l_row.municipality].id,
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
                kind=l_row.kind,
                municipality=l_row.municipality,
                county=county_of[l_row.municipality],
            ),
            subject=str(library.id),
        )
        report.count("libraries", inserted=True)
    return report
