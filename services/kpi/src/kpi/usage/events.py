"""The events usage emits (declared in the feed's contract)."""

from chassis.outbox import EventData


class UsageReportUploaded(EventData):
    event_type = "usage_report.uploaded"
    product_id: str
    organisation: str | None
    release: str
    report_id: str
    begin_date: str | None
    end_date: str | None
    totals: dict[str, int]


class ProductRecorded(EventData):
    """A catalogue product as the catalogue's feed announced it (created, changed status)."""

    event_type = "product.recorded"
    product_id: str
    status: str
