"""The events organisations emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class OrganisationCreated(EventData):
    event_type = "organisation.created"
    level: str
    code: str
    country_code: str
    parent: str | None


class OrganisationUpdated(EventData):
    event_type = "organisation.updated"
    level: str
    code: str
    changed: list[str]


class PopulationSet(EventData):
    event_type = "organisation.population_set"
    level: str
    code: str
    year: int
    population: int
