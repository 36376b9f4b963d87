"""Any COUNTER report a client sends, by its media type: JSON, or the tabular form."""

from __future__ import annotations

from kpi.usage.counter.json_report import read_json
from kpi.usage.counter.model import CounterException, NotCounter, Report
from kpi.usage.counter.tabular import read_tabular

JSON = "application/json"
TABULAR = ("text/tab-separated-values", "text/csv")


def read_report(data: bytes, media: str) -> Report | list[CounterException]:
    """The report (or the Exceptions a reply holds instead); NotCounter says why it is neither."""
    if not data.strip():
        raise NotCounter("the body is empty")
    if media == JSON:
        return read_json(data)
    if media in TABULAR:
        return read_tabular(data)
    raise NotCounter(f"a COUNTER report is {JSON} or {' or '.join(TABULAR)}, not {media}")
