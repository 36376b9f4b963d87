"""COUNTER reports in tabular form: a header of 12 rows (Release 5) or 13 (5.1, with
Registry_Record), a blank row, then the body: the item columns, Metric_Type,
Reporting_Period_Total and one column per month (`Jan-2022`). Tab-separated as the Code of
Practice delivers them, or comma-separated and quoted as some vendors export them."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from kpi.usage.counter.model import CounterException, NotCounter, Report, parse_date

HEADER_ROWS = {"5": 12, "5.1": 13}
_EXCEPTION = re.compile(r"^\s*(\d+)\s*:\s*(.*?)(?:\s*\((.*)\))?\s*$", re.ASCII | re.DOTALL)


def _rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _exceptions(cell: str) -> list[CounterException]:
    found = []
    for part in (p for p in cell.split("; ") if p.strip()):
        matched = _EXCEPTION.match(part)
        if matched is None:
            raise NotCounter(f"the Exceptions row holds {part!r}, not `Code: Message (Data)`")
        found.append(
            CounterException(
                code=int(matched.group(1)), message=matched.group(2), data=matched.group(3)
            )
        )
    return found


def _period(cell: str) -> dict[str, str]:
    pairs = (p.split("=", 1) for p in cell.split(";") if "=" in p)
    return {name.strip(): value.strip() for name, value in pairs}


def _month(heading: str) -> str:
    try:
        return datetime.strptime(heading.strip(), "%b-%Y").strftime("%Y-%m")
    except ValueError as exc:
        raise NotCounter(f"the column {heading!r} is not a month (Mmm-yyyy)") from exc


def _count(cell: str, where: str) -> int:
    cell = cell.strip()
    if cell == "":
        return 0  # some vendors leave a month without usage empty
    if not cell.isascii() or not cell.isdigit():
        raise NotCounter(f"{where}: {cell!r} is not a count")
    return int(cell)


def read_tabular(data: bytes) -> Report:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotCounter("a tabular COUNTER report is UTF-8") from exc
    rows = _rows(text)
    header = {row[0].strip(): (row[1].strip() if len(row) > 1 else "") for row in rows[:13] if row}
    release = header.get("Release", "")
    if "Report_ID" not in header or release not in HEADER_ROWS:
        raise NotCounter("a tabular COUNTER report begins with its header (Report_ID, Release …)")
    count = HEADER_ROWS[release]
    if len(rows) <= count + 1 or any(c.strip() for c in rows[count]):
        raise NotCounter(f"a Release {release} report has {count} header rows, then a blank row")
    period = _period(header.get("Reporting_Period", ""))
    report = Report(
        release=release,
        report_id=header["Report_ID"],
        report_name=header.get("Report_Name"),
        institution_name=header.get("Institution_Name"),
        begin_date=parse_date(period.get("Begin_Date"), "Begin_Date"),
        end_date=parse_date(period.get("End_Date"), "End_Date"),
        exceptions=_exceptions(header.get("Exceptions", "")),
    )
    report.check()
    columns = [c.strip() for c in rows[count + 1]]
    if "Metric_Type" not in columns or "Reporting_Period_Total" not in columns:
        raise NotCounter("the body's header names Metric_Type and Reporting_Period_Total")
    metric_at = columns.index("Metric_Type")
    total_at = columns.index("Reporting_Period_Total")
    months = [(i, _month(c)) for i, c in enumerate(columns) if i > total_at and c]
    items: set[tuple[str, ...]] = set()
    for number, row in enumerate(rows[count + 2 :], start=count + 3):
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(columns):
            raise NotCounter(f"row {number} has {len(row)} cells and the header {len(columns)}")
        metric = row[metric_at].strip()
        counts = [(month, _count(row[i], f"row {number}, {month}")) for i, month in months]
        total = _count(row[total_at], f"row {number}, Reporting_Period_Total")
        if total != sum(c for _, c in counts):
            raise NotCounter(
                f"row {number}: Reporting_Period_Total {total} is not the sum of its months "
                f"({sum(c for _, c in counts)})"
            )
        for month, value in counts:
            if value:
                report.add(metric, month, value)
        items.add(tuple(c.strip() for c in row[:metric_at]))
    report.report_items = len(items)
    return report
