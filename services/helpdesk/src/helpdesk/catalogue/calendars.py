"""A stored calendar as the hours module's `BusinessCalendar`, built once per version."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from helpdesk.catalogue.models import CalendarRow
from helpdesk.hours.calendar import WEEKDAYS, BusinessCalendar, HolidayRule, Span

_built: dict[tuple[uuid.UUID, int], BusinessCalendar] = {}
_MAX_BUILT = 256


def week_of(weekly_hours: dict[str, list[dict[str, str]]]) -> dict[int, tuple[Span, ...]]:
    return {
        WEEKDAYS.index(day): tuple(Span.parse(s["start"], s["end"]) for s in spans)
        for day, spans in weekly_hours.items()
    }


def holiday_rule(holidays: dict[str, Any] | None) -> HolidayRule | None:
    if not holidays:
        return None
    return HolidayRule(
        holidays["country"], holidays.get("subdivision"), tuple(holidays["categories"])
    )


def business_calendar(row: CalendarRow) -> BusinessCalendar:
    """The row's calendar; cached by id and version, so a change is seen at once."""
    key = (row.id, row.version)
    found = _built.get(key)
    if found is None:
        found = BusinessCalendar(
            row.time_zone,
            week_of(row.weekly_hours),
            holiday_rule(row.holidays),
            closing_days={date.fromisoformat(d["date"]): d["reason"] for d in row.closing_days},
            yearly_closing_days={
                (d["month"], d["day"]): d["reason"] for d in row.yearly_closing_days
            },
        )
        if len(_built) >= _MAX_BUILT:
            _built.clear()
        _built[key] = found
    return found
