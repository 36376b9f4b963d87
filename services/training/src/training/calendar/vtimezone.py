"""VTIMEZONE components built from the IANA database (zoneinfo), one onset per real change.

RFC 5545 (3.6.5): each STANDARD or DAYLIGHT part's DTSTART is the *local time before* the change,
in its TZOFFSETFROM. icalendar 7.3's `Timezone.from_tzinfo` writes the DAYLIGHT onset an hour
late (03:00 for Europe's 02:00 spring change), so a reader would put the first hour of summer
time an hour off (decision 0029). The onsets are found here from zoneinfo's offsets instead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_DAY = timedelta(days=1)


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def transitions(zone: ZoneInfo, first: date, last: date) -> list[datetime]:
    """The UTC instants in [first, last] when the zone's offset changes, to the minute."""
    found = []
    day = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last, datetime.min.time(), tzinfo=UTC) + _DAY
    while day < end:
        nxt = day + _DAY
        if _offset(zone, day) != _offset(zone, nxt):
            low, high = day, nxt
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == _offset(zone, day):
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        day = nxt
    return found


def _part(
    zone: ZoneInfo, onset: datetime, before: timedelta
) -> TimezoneStandard | TimezoneDaylight:
    local = onset.astimezone(zone)
    dst = local.dst()
    part = TimezoneDaylight() if dst else TimezoneStandard()
    # The wall-clock time at the change, read on the clocks before it.
    part.add("dtstart", (onset + before).replace(tzinfo=None))
    part.add("tzoffsetfrom", before)
    part.add("tzoffsetto", local.utcoffset())
    part.add("tzname", local.tzname())
    return part


@lru_cache(maxsize=256)
def vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE for the years [first_year, last_year]: the offset in force on 1
    January of the first year, then each change up to the end of the last."""
    zone = ZoneInfo(name)
    component = Timezone()
    component.add("tzid", name)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    initial = start.astimezone(zone)
    offset = initial.utcoffset()
    assert offset is not None
    first = TimezoneDaylight() if initial.dst() else TimezoneStandard()
    first.add("dtstart", datetime(first_year, 1, 1))
    first.add("tzoffsetfrom", offset)
    first.add("tzoffsetto", offset)
    first.add("tzname", initial.tzname())
    component.add_component(first)
    before = offset
    for onset in transitions(zone, date(first_year, 1, 1), date(last_year, 12, 31)):
        component.add_component(_part(zone, onset, before))
        before = _offset(zone, onset)
    return component
