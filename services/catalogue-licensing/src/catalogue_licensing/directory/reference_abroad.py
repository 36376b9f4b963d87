"""Loading Belgium's and the Netherlands' areas into the directory: Flanders' provinces and
municipalities (NIS codes, Statbel REFNIS 2025) and the Dutch provinces with Drenthe's
municipalities (CBS codes). Every row checked before anything is written; idempotent. A province
is the directory's county level (decision 0046). Libraries are added by the API or the demo data
(`read_libraries`): no public source gives BE or NL library ISILs with names."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.directory.followers import FOLLOWERS
from catalogue_licensing.directory.isil import isil_country, isil_problem
from catalogue_licensing.directory.models import Country
from catalogue_licensing.directory.reference_load import (
    REFERENCE_DIR,
    REFERENCE_LOADER,
    CountyRow,
    LibraryRow,
    LoadReport,
    MunicipalityRow,
    ReferenceData,
    ReferenceDataError,
    load_counties,
    load_libraries,
    load_municipalities,
    read_populations,
    read_rows,
)
from chassis.area_codes import code_problem
from chassis.auth import Principal
from chassis.problems import ProblemError
from chassis.types import utcnow

COUNTRY_NAMES: dict[str, dict[str, str]] = {
    "BE": {"nl": "België", "fr": "Belgique", "de": "Belgien", "en": "Belgium"},
    "NL": {"nl": "Nederland", "fy": "Nederlân", "en": "Netherlands"},
}
# The NIS code of the Flemish Region (Vlaams Gewest), the parent of Flanders' provinces in
# Statbel's REFNIS; the directory has no region level, so Belgium's only provinces are these.
FLEMISH_REGION = "02000"
_KINDS = frozenset({"public", "school"})


@dataclass(frozen=True)
class AbroadFiles:
    flanders: Path = REFERENCE_DIR / "be-flanders.csv"
    netherlands: Path = REFERENCE_DIR / "nl-provinces.csv"


@dataclass
class _Areas:
    counties: dict[str, CountyRow] = field(default_factory=dict)
    municipalities: dict[str, MunicipalityRow] = field(default_factory=dict)

    def data(self, libraries: list[LibraryRow] | None = None) -> ReferenceData:
        return ReferenceData(
            list(self.counties.values()), list(self.municipalities.values()), libraries or []
        )


def _province(
    areas: _Areas, country: str, code: str, names: dict[str, str], parent: str, expected: str
) -> str | None:
    if (problem := code_problem(country, "county", code)) is not None:
        return problem
    if not all(names.values()):
        return f"province {code} has no name"
    if parent != expected:
        return f"province {code} names parent {parent!r}, not {expected}"
    if code in areas.counties:
        return f"province {code} occurs twice"
    return None


def _municipality(
    areas: _Areas, country: str, code: str, name: str, parent: str, merged: list[str]
) -> str | None:
    if (problem := code_problem(country, "municipality", code)) is not None:
        return problem
    if not name:
        return f"municipality {code} has no name"
    if parent not in areas.counties:
        return f"municipality {code} names unknown province {parent!r}"
    if code in areas.municipalities:
        return f"municipality {code} occurs twice"
    for old in merged:
        if (problem := code_problem(country, "municipality", old)) is not None:
            return f"merged_from_2025: {problem}"
    return None


def _read_flanders(path: Path, problems: list[str]) -> _Areas:
    """Provinces first, then municipalities (the file's order; a municipality names its
    province's NIS code)."""
    areas = _Areas()
    for line, row in read_rows(path):
        where = f"{path.name}:{line}"
        level, code, parent = (
            row.get("level", ""),
            row.get("nis_code", ""),
            row.get("parent_nis_code", ""),
        )
        populations = read_populations(path, line, row, problems)
        if level == "province":
            names = {"nl": row.get("name_nl", ""), "fr": row.get("name_fr", "")}
            names = {k: v for k, v in names.items() if v} or {"nl": ""}
            if (problem := _province(areas, "BE", code, names, parent, FLEMISH_REGION)) is not None:
                problems.append(f"{where}: {problem}")
                continue
            areas.counties[code] = CountyRow(code, names, populations)
        elif level == "municipality":
            name = row.get("name_nl", "")
            merged = [m.strip() for m in row.get("merged_from_2025", "").split(";") if m.strip()]
            if (problem := _municipality(areas, "BE", code, name, parent, merged)) is not None:
                problems.append(f"{where}: {problem}")
                continue
            areas.municipalities[code] = MunicipalityRow(
                code, name, parent, populations, tuple(merged) if merged else None
            )
        else:
            problems.append(f"{where}: level {level!r} is not province or municipality")
    return areas


def _read_netherlands(path: Path, problems: list[str]) -> _Areas:
    areas = _Areas()
    for line, row in read_rows(path):
        where = f"{path.name}:{line}"
        level, code, parent = (
            row.get("level", ""),
            row.get("cbs_code", ""),
            row.get("parent_code", ""),
        )
        name = row.get("name", "")
        populations = read_populations(path, line, row, problems)
        if level == "province":
            if (problem := _province(areas, "NL", code, {"nl": name}, parent, "NL")) is not None:
                problems.append(f"{where}: {problem}")
                continue
            areas.counties[code] = CountyRow(code, {"nl": name}, populations)
        elif level == "municipality":
            if (problem := _municipality(areas, "NL", code, name, parent, [])) is not None:
                problems.append(f"{where}: {problem}")
                continue
            areas.municipalities[code] = MunicipalityRow(code, name, parent, populations)
        else:
            problems.append(f"{where}: level {level!r} is not province or municipality")
    return areas


def read_abroad(files: AbroadFiles) -> dict[str, ReferenceData]:
    """Each country's areas; ReferenceDataError lists every bad row (and nothing is loaded)."""
    problems: list[str] = []
    flanders = _read_flanders(files.flanders, problems)
    netherlands = _read_netherlands(files.netherlands, problems)
    if problems:
        raise ReferenceDataError(problems)
    return {"BE": flanders.data(), "NL": netherlands.data()}


def read_libraries(path: Path, areas: dict[str, ReferenceData]) -> dict[str, ReferenceData]:
    """The libraries of a CSV (`isil,name,kind,municipality_number,country`) placed in the areas
    read: each country's data with its libraries. Every row checked; ReferenceDataError lists
    the bad ones."""
    problems: list[str] = []
    libraries: dict[str, list[LibraryRow]] = {country: [] for country in areas}
    seen: set[str] = set()
    for line, row in read_rows(path):
        isil, country = row.get("isil", ""), row.get("country", "")
        municipality, name, kind = (
            row.get("municipality_number", ""),
            row.get("name", ""),
            row.get("kind", ""),
        )
        reason = isil_problem(isil)
        if reason is None and country not in areas:
            reason = f"{isil}: country {country!r} is not one of {', '.join(sorted(areas))}"
        elif reason is None and isil_country(isil) not in (None, country):
            reason = f"{isil} is not a library in {country}"
        elif reason is None and kind not in _KINDS:
            reason = f"kind {kind!r} is not public or school"
        elif reason is None and not 0 < len(name) <= 200:
            reason = f"{isil} needs a name of at most 200 characters"
        elif reason is None and municipality not in {
            m.number for m in areas[country].municipalities
        }:
            reason = f"{isil} names unknown municipality {municipality!r} of {country}"
        elif reason is None and isil.upper() in seen:
            reason = f"{isil} occurs twice"
        if reason is not None:
            problems.append(f"{path.name}:{line}: {reason}")
            continue
        seen.add(isil.upper())
        libraries[country].append(LibraryRow(isil, name, kind, municipality))
    if problems:
        raise ReferenceDataError(problems)
    return {
        country: ReferenceData(data.counties, data.municipalities, libraries[country])
        for country, data in areas.items()
    }


async def load_abroad(
    session: AsyncSession,
    data: dict[str, ReferenceData],
    *,
    principal: Principal = REFERENCE_LOADER,
) -> LoadReport:
    """Insert each country, its provinces and municipalities (and libraries, if the data has
    any) that are missing, and bring the others up to date with the files."""
    report = LoadReport()
    now = utcnow()
    for country, areas in sorted(data.items()):
        if await session.get(Country, country) is None:
            session.add(Country(code=country, name=COUNTRY_NAMES[country]))
            report.count("countries", inserted=True)
            await session.flush()
        counties, moved = await load_counties(session, areas.counties, report, now, country=country)
        try:
            await FOLLOWERS.population_changed(
                session, county_ids=moved, principal=principal, request_id=None
            )
        except ProblemError as exc:
            raise ReferenceDataError(
                [f"the new populations cannot be applied: {exc.detail}"]
            ) from exc
        municipalities = await load_municipalities(
            session, areas.municipalities, counties, report, now, country=country
        )
        await load_libraries(session, areas, municipalities, report, now)
    return report
