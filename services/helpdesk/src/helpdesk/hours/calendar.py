"""A business calendar: weekly opening hours in a time zone, public holidays, local closing days."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True, order=True)
class Span:
    """Opening hours within one local day, in minutes after midnight; `end` may be 1440 (midnight)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"a span runs forward within a day, not {self.start}..{self.end}")

    @classmethod
    def parse(cls, start: str, end: str) -> Span:
        """`Span.parse("08:00", "16:30")`; "24:00" ends a span at midnight."""
        return cls(_minutes(start), _minutes(end))

    def label(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"a time of day is HH:MM, not {text!r}")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > MINUTES_PER_DAY:
        raise ValueError(f"a time of day is between 00:00 and 24:00, not {text!r}")
    return value


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_day_spans(spans: Sequence[Span]) -> tuple[Span, ...]:
    """The spans of one day, sorted; overlapping or touching spans are refused (write one span)."""
    ordered = tuple(sorted(spans))
    for before, after in itertools.pairwise(ordered):
        if after.start <= before.end:
            raise ValueError(f"spans {before.label()} and {after.label()} overlap or touch")
    return ordered


@dataclass(frozen=True)
class HolidayRule:
    """Which public holidays of the `holidays` library close the calendar.

    `categories` are the library's own (`public`, `optional`, `bank` ...): the Netherlands'
    Liberation Day is `optional` in the years it is not a national day off.
    """

    country: str
    subdiv: str | None = None
    categories: tuple[str, ...] = ("public",)
    language: str = "en_US"

    def __post_init__(self) -> None:
        known = holidays.list_supported_countries()
        if self.country not in known:
            raise ValueError(f"the holidays library knows no country {self.country!r}")
        if self.subdiv is not None and self.subdiv not in known[self.country]:
            raise ValueError(f"{self.country} has no subdivision {self.subdiv!r}")
        table = holidays.country_holidays(self.country)
        for category in self.categories:
            if category not in table.supported_categories:
                raise ValueError(f"{self.country} has no holiday category {category!r}")
        if self.language not in table.supported_languages:
            raise ValueError(f"{self.country}'s holidays have no names in {self.language!r}")

    def table(self) -> holidays.HolidayBase:
        return holidays.country_holidays(
            self.country, subdiv=self.subdiv, categories=self.categories, language=self.language
        )


@dataclass(frozen=True)
class DayPlan:
    """One local day: its opening spans as UTC instants, or why it is closed all day."""

    day: date
    begins: datetime
    ends: datetime
    open_spans: tuple[tuple[datetime, datetime], ...]
    closed_reason: str


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly hours (Monday = 0) in `zone`, closed on the rule's holidays and on `closing_days`."""

    zone: str
    weekly: Mapping[int, Sequence[Span]]
    holiday_rule: HolidayRule | None = None
    closing_days: Mapping[date, str] = field(default_factory=dict)
    # Closed every year on (month, day): the Day of the Flemish Community, 11 July, is in no
    # category of the holidays library, so a Flemish calendar closes on it this way.
    yearly_closing_days: Mapping[tuple[int, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"no time zone {self.zone!r}") from exc
        for weekday, spans in self.weekly.items():
            if weekday not in range(7):
                raise ValueError(f"a weekday is 0 (Monday) to 6 (Sunday), not {weekday}")
            check_day_spans(spans)
        for month, day in self.yearly_closing_days:
            date(2024, month, day)  # a leap year, so 29 February passes; others raise ValueError
        if not any(self.weekly.values()):
            raise ValueError("a calendar is open at least one day a week")

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase | None:
        return self.holiday_rule.table() if self.holiday_rule else None

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on `day` (several joined), or None."""
        table = self._holidays
        if table is None:
            return None
        return table.get(day)

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def instant(self, day: date, minutes: int) -> datetime:
        """The UTC instant of a local wall-clock time; a time skipped by DST reads as after the jump."""
        if minutes == MINUTES_PER_DAY:
            day, minutes = day + timedelta(days=1), 0
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(UTC)

    def plan(self, day: date) -> DayPlan:
        begins = self.instant(day, 0)
        ends = self.instant(day + timedelta(days=1), 0)
        reason = self._closed_all_day(day)
        if reason:
            return DayPlan(day, begins, ends, (), reason)
        spans: list[tuple[datetime, datetime]] = []
        floor = begins
        for span in self.weekly[day.weekday()]:
            # Clamped so spans never overlap when a DST jump lands inside one.
            start = max(self.instant(day, span.start), floor)
            end = self.instant(day, span.end)
            if end > start:
                spans.append((start, end))
                floor = end
        return DayPlan(day, begins, ends, tuple(spans), "" if spans else "closed (DST change)")

    def _closed_all_day(self, day: date) -> str:
        closing = self.closing_days.get(day) or self.yearly_closing_days.get((day.month, day.day))
        if closing:
            return f"local closing day: {closing}"
        holiday = self.holiday(day)
        if holiday:
            return f"public holiday: {holiday}"
        if not self.weekly.get(day.weekday()):
            return f"no business hours on {WEEKDAYS[day.weekday()].capitalize()}"
        return ""
