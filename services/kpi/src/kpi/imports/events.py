"""The events imports emit (one per import, not one per row)."""

from chassis.outbox import EventData


class ObservationsImported(EventData):
    event_type = "observations.imported"
    import_id: str
    created: int
    corrected: int
    unchanged: int
    indicators: list[str]
    first_period_start: str | None
    last_period_end: str | None


class ObservationImportStarted(EventData):
    event_type = "observations.import_started"
    import_id: str
    rows_total: int


class ObservationImportFailed(EventData):
    event_type = "observations.import_failed"
    import_id: str
    reason: str
