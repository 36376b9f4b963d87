"""The round's own calendar: local wall-clock deadlines turned into instants in its time zone,
and the local day a given instant falls on (docs/decisions/0022-procurement-round-calendar.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class NotALocalTime(ValueError):
    """A wall-clock time that does not exist in the zone (skipped by a spring DST change)."""


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone") from exc


def local_instant(value: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of `value`: a naive value is the zone's wall-clock time, an aware one is
    kept as the instant it names. A time the clocks skip is refused; a time they pass twice (the
    autumn change) is its first occurrence: the deadline passes the first time clocks show it."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    first = value.replace(tzinfo=zone, fold=0)
    # A skipped time does not survive the round trip through UTC.
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise NotALocalTime(f"{value.isoformat()} does not exist in {zone.key} (clocks skip it)")
    return first.astimezone(UTC)


def in_zone(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def day_end(day: date, zone: ZoneInfo) -> datetime:
    """The instant a whole local day has passed: midnight at the start of the next one."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
