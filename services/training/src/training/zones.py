"""Named time zones: reading a zone's name, and local wall-clock times to UTC and back."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone of that name, or None when there is none (a path or a made-up name)."""
    if name not in _KNOWN:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_KNOWN = frozenset(available_timezones())


def local_to_utc(value: datetime, zone: ZoneInfo) -> datetime | None:
    """A wall-clock time in `zone` as UTC; an aware value is converted as it is. None when the
    local time does not exist (it falls in the hour skipped when clocks go forward). Of a time
    that occurs twice (clocks going back), the first is meant."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    local = value.replace(tzinfo=zone, fold=0)
    in_utc = local.astimezone(UTC)
    if in_utc.astimezone(zone).replace(tzinfo=None) != value:
        return None
    return in_utc


def in_zone(value: datetime, zone_name: str) -> datetime:
    return value.astimezone(ZoneInfo(zone_name))
