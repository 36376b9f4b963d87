"""The events indicators emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class IndicatorCreated(EventData):
    event_type = "indicator.created"
    code: str
    rollup: str
    periodicity: str


class IndicatorUpdated(EventData):
    event_type = "indicator.updated"
    code: str
    changed: list[str]
