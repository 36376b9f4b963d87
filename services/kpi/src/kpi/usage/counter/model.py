"""What a COUNTER report says, once read: its header, its exceptions, and per metric type the
count per month, summed over every item and attribute combination."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

RELEASES = ("5", "5.1")
REPORT_IDS = frozenset(
    {
        "PR", "PR_P1",
        "DR", "DR_D1", "DR_D2",
        "TR", "TR_B1", "TR_B2", "TR_B3", "TR_J1", "TR_J2", "TR_J3", "TR_J4",
        "IR", "IR_A1", "IR_M1",
    }
)  # fmt: skip
MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
# 3030 no usage, 3031 not ready, 3032 no longer available, 3040-3070 warnings with data: the
# codes a report with a body may carry (Code of Practice 5.1, Table D.1; 5.0.3, Table F.1).
REPORT_CODES = frozenset({0, 3030, 3031, 3032, 3040, 3050, 3060, 3061, 3062, 3063, 3070})
NO_USAGE, NOT_READY, NO_LONGER_AVAILABLE = 3030, 3031, 3032


class NotCounter(ValueError):
    """The body is not a COUNTER report (the message says what is wrong, and where)."""


@dataclass(frozen=True, slots=True)
class CounterException:
    code: int
    message: str
    severity: str | None = None
    data: str | None = None

    @property
    def is_error(self) -> bool:
        """An error, not a warning: R5's Severity Error or Fatal, or a code outside those a
        report with data may carry (1000-2999: service, authorisation; 3000-3020: arguments)."""
        if self.severity is not None and self.severity.lower() in ("error", "fatal"):
            return True
        return not (self.code in REPORT_CODES or 1 <= self.code <= 999)


@dataclass
class Report:
    release: str
    report_id: str
    report_name: str | None
    institution_name: str | None
    begin_date: date | None
    end_date: date | None
    exceptions: list[CounterException] = field(default_factory=list)
    report_items: int = 0
    # metric type → month ("2022-01") → count.
    metrics: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, metric: str, month: str, count: int) -> None:
        if not MONTH.fullmatch(month):
            raise NotCounter(f"{month!r} is not a month (yyyy-mm) of {metric}")
        if count < 0:
            raise NotCounter(f"{metric} {month}: a count is never negative ({count})")
        months = self.metrics[metric]
        months[month] = months.get(month, 0) + count

    def check(self) -> None:
        """The header's facts every reader checks alike."""
        if self.release not in RELEASES:
            raise NotCounter(f"Release {self.release!r}: this service reads COUNTER 5 and 5.1")
        if self.report_id not in REPORT_IDS:
            raise NotCounter(f"Report_ID {self.report_id!r} is not a COUNTER 5 report or view")
        if self.begin_date and self.end_date and self.begin_date > self.end_date:
            raise NotCounter("the reporting period ends before it begins")

    @property
    def has_usage(self) -> bool:
        return any(self.metrics.values())

    def errors(self) -> list[CounterException]:
        return [e for e in self.exceptions if e.is_error]


def month_of(day: str) -> str:
    """ "2022-01-01" → "2022-01" (a Performance period's Begin_Date)."""
    try:
        parsed = date.fromisoformat(day)
    except (TypeError, ValueError) as exc:
        raise NotCounter(f"{day!r} is not a date (yyyy-mm-dd)") from exc
    return f"{parsed.year:04d}-{parsed.month:02d}"


def parse_date(value: object, what: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise NotCounter(f"{what} {value!r} is not a date (yyyy-mm-dd)") from exc
