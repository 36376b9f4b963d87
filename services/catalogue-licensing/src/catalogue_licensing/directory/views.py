"""The directory's resources as the API shows them, and as the audit trail records them."""

from __future__ import annotations

from typing import Any

from catalogue_licensing.directory.models import (
    Country,
    County,
    Library,
    Municipality,
)
from catalogue_licensing.directory.schemas import (
    CountryOut,
    CountyOut,
    LibraryOut,
    MunicipalityOut,
    PopulationOut,
)

# Fields that change on every write and say nothing about what changed.
UNAUDITED = frozenset({"version", "created_at", "updated_at"})


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
        merged_from=None if municipality.merged_from is None else list(municipality.merged_from),
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


def audited(view: LibraryOut | CountyOut | MunicipalityOut) -> dict[str, Any]:
    return view.model_dump(mode="json", exclude=set(UNAUDITED))


def country_view(country: Country) -> CountryOut:
    return CountryOut(code=country.code, name=dict(country.name))


def area_kind(area: County | Municipality) -> str:
    return "county" if isinstance(area, County) else "municipality"


def area_resource_id(area: County | Municipality) -> str:
    # Numbers repeat across countries; the country makes the audit trail's id unique.
    return f"{area.country_code}-{area.number}"


def area_view(area: County | Municipality) -> CountyOut | MunicipalityOut:
    return county_view(area) if isinstance(area, County) else municipality_view(area)
