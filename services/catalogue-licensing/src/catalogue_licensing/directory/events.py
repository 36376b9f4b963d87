"""The events the directory emits, one model per type (declared in the feed's contract)."""

from typing import Literal

from catalogue_licensing.directory.schemas import LibraryKind
from chassis.outbox import EventData


class LibraryCreated(EventData):
    event_type = "library.created"
    isil: str
    kind: LibraryKind
    municipality: str
    county: str


class LibraryUpdated(EventData):
    event_type = "library.updated"
    isil: str
    changed: list[str]
    municipality: str
    county: str


class CountyPopulationSet(EventData):
    event_type = "county.population_set"
    # The area's level and country: its number (natural code) is unique only within both.
    level: Literal["county"] = "county"
    country: str
    number: str
    year: int
    population: int


class MunicipalityPopulationSet(EventData):
    event_type = "municipality.population_set"
    level: Literal["municipality"] = "municipality"
    country: str
    number: str
    year: int
    population: int
