"""The events datasets emit (declared in the feed's contract)."""

from chassis.outbox import EventData


class DatasetCreated(EventData):
    event_type = "dataset.created"
    dataset_id: str
    name: str
    audience: str


class DatasetPublished(EventData):
    event_type = "dataset.published"
    dataset_id: str
    name: str
    audience: str
    indicators: list[str]
    organisations: int
    periods: list[str]
    published_at: str


class DatasetWithdrawn(EventData):
    event_type = "dataset.withdrawn"
    dataset_id: str
    audience: str
