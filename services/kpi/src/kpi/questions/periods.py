"""The periods of one kind inside a span: the months of a year, the weeks of a quarter …"""

from __future__ import annotations

from datetime import date, timedelta

from kpi.observations.periods import Period, parse_period


def _text(day: date, kind: str) -> str:
    if kind == "year":
        return f"{day.year:04d}"
    if kind == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if kind == "month":
        return f"{day.year:04d}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def periods_within(span: Period, kind: str) -> list[Period]:
    """Every period of `kind` that lies inside `span`, in order: as `?period=` selects figures
    (a week across the span's first or last day is in neither year's series)."""
    found: list[Period] = []
    day = span.start
    while day <= span.end:
        period = parse_period(_text(day, kind))
        if span.contains(period) and (not found or found[-1].text != period.text):
            found.append(period)
        day = period.end + timedelta(days=1)
    return found


def year_before(period: Period) -> Period:
    """The same period a year earlier (2025-W53 has none in 2024: its week 52)."""
    year = period.start.year if period.kind != "week" else period.start.isocalendar()[0]
    text = f"{year - 1:04d}{period.text[4:]}"
    if period.kind == "week" and text.endswith("-W53"):
        try:
            return parse_period(text)
        except ValueError:
            return parse_period(f"{year - 1:04d}-W52")
    return parse_period(text)
