"""COUNTER reports as JSON: Release 5 (filters as Name/Value lists, Performance by Period with
Instances) and Release 5.1 (filters as objects, Attribute_Performance with Counts by month); an
Item Report's parents hold their items. Zero usage is left out by the reports themselves, so a
missing month is no usage."""

from __future__ import annotations

import json
from typing import Any

from kpi.usage.counter.model import CounterException, NotCounter, Report, month_of, parse_date


def _exception(raw: object) -> CounterException:
    if not isinstance(raw, dict) or "Code" not in raw:
        raise NotCounter("an Exception is an object with a Code")
    code = raw["Code"]
    if isinstance(code, bool) or not isinstance(code, int):
        raise NotCounter(f"an Exception's Code is a number, not {code!r}")
    data = raw.get("Data")
    return CounterException(
        code=code,
        message=str(raw.get("Message", "")),
        severity=None if raw.get("Severity") is None else str(raw["Severity"]),
        data=None if data is None else str(data),
    )


def exceptions_only(document: object) -> list[CounterException] | None:
    """A reply of Exceptions and no report (one object, or a list as some vendors send)."""
    if isinstance(document, dict) and "Code" in document and "Report_Header" not in document:
        return [_exception(document)]
    if isinstance(document, list) and document and all(isinstance(e, dict) for e in document):
        return [_exception(e) for e in document]
    return None


def _filters(header: dict[str, Any], release: str) -> dict[str, Any]:
    raw = header.get("Report_Filters") or ({} if release == "5.1" else [])
    if release == "5.1":
        if not isinstance(raw, dict):
            raise NotCounter("Release 5.1 Report_Filters is an object")
        return raw
    if not isinstance(raw, list):
        raise NotCounter("Release 5 Report_Filters is a list of Name/Value objects")
    return {str(f.get("Name")): f.get("Value") for f in raw if isinstance(f, dict)}


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise NotCounter(f"{where}: a count is a whole number, not {value!r}")
    return value


def _r5_item(report: Report, item: dict[str, Any]) -> None:
    for performance in item.get("Performance") or []:
        month = month_of(str((performance.get("Period") or {}).get("Begin_Date")))
        for instance in performance.get("Instance") or []:
            metric = str(instance.get("Metric_Type"))
            report.add(metric, month, _count(instance.get("Count"), f"{metric} {month}"))


def _r51_item(report: Report, item: dict[str, Any]) -> None:
    for attributes in item.get("Attribute_Performance") or []:
        performance = attributes.get("Performance") or {}
        if not isinstance(performance, dict):
            raise NotCounter("Release 5.1 Performance maps each Metric_Type to its Counts")
        for metric, counts in performance.items():
            if not isinstance(counts, dict):
                raise NotCounter(f"{metric}: Counts map each month (yyyy-mm) to a count")
            for month, count in counts.items():
                report.add(metric, month, _count(count, f"{metric} {month}"))


def read_json(data: bytes) -> Report | list[CounterException]:
    """The report, or the Exceptions a reply holds instead of one."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotCounter(f"the body is not JSON: {exc}") from exc
    only = exceptions_only(document)
    if only is not None:
        return only
    if not isinstance(document, dict) or not isinstance(document.get("Report_Header"), dict):
        raise NotCounter("a COUNTER report is an object with a Report_Header")
    header: dict[str, Any] = document["Report_Header"]
    release = str(header.get("Release", ""))
    filters = _filters(header, release) if release in ("5", "5.1") else {}
    report = Report(
        release=release,
        report_id=str(header.get("Report_ID", "")),
        report_name=header.get("Report_Name"),
        institution_name=header.get("Institution_Name"),
        begin_date=parse_date(filters.get("Begin_Date"), "Begin_Date"),
        end_date=parse_date(filters.get("End_Date"), "End_Date"),
        exceptions=[_exception(e) for e in header.get("Exceptions") or []],
    )
    report.check()
    items = document.get("Report_Items", [])
    if not isinstance(items, list):
        raise NotCounter("Report_Items is a list")
    read_item = _r51_item if release == "5.1" else _r5_item
    for entry in items:
        if not isinstance(entry, dict):
            raise NotCounter("each of Report_Items is an object")
        # A 5.1 Item Report's parent holds its items, where the usage is.
        children = entry.get("Items") if release == "5.1" else None
        for item in children if isinstance(children, list) else [entry]:
            read_item(report, item)
            report.report_items += 1
    return report
