"""The events observations emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class ObservationRecorded(EventData):
    event_type = "observation.recorded"
    indicator: str
    organisation: str
    period: str
    value: float
    status: str


class ObservationCorrected(EventData):
    event_type = "observation.corrected"
    indicator: str
    organisation: str
    period: str
    changed: list[str]
    version: int
