"""ISO 8601 periods as figures use them: a year (`2025`), a quarter (`2025-Q1`), a month
(`2025-03`), an ISO week (`2025-W05`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MIN_YEAR = 1900
MAX_YEAR = 2100

# ASCII digits only: Python's \d matches any script's digits.
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"^(\d{4})$", re.ASCII)),
    ("quarter", re.compile(r"^(\d{4})-Q([1-4])$", re.ASCII)),
    ("month", re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$", re.ASCII)),
    ("week", re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$", re.ASCII)),
)
FORMS_HELP = "YYYY, YYYY-Qn, YYYY-MM or YYYY-Www"


class PeriodError(ValueError):
    """Why a text is not a period."""


@dataclass(frozen=True, slots=True)
class Period:
    text: str
    kind: str
    # First and last day, both inside the period.
    start: date
    end: date

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _bounds(kind: str, year: int, part: int) -> tuple[date, date]:
    if kind == "year":
        return date(year, 1, 1), date(year, 12, 31)
    if kind == "quarter":
        first = 3 * (part - 1) + 1
        return date(year, first, 1), _month_end(year, first + 2)
    if kind == "month":
        return date(year, part, 1), _month_end(year, part)
    try:
        monday = date.fromisocalendar(year, part, 1)
    except ValueError as exc:
        raise PeriodError(f"{year} has no ISO week {part}") from exc
    return monday, monday + timedelta(days=6)


def parse_period(text: str) -> Period:
    """The period `text` names, or PeriodError saying why it names none."""
    for kind, form in _FORMS:
        matched = form.fullmatch(text)
        if matched is None:
            continue
        year = int(matched.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(f"the year {year} is outside {MIN_YEAR} to {MAX_YEAR}")
        part = int(matched.group(2)) if kind != "year" else 0
        start, end = _bounds(kind, year, part)
        return Period(text=text, kind=kind, start=start, end=end)
    raise PeriodError(f"{text!r} is not an ISO 8601 period ({FORMS_HELP})")
