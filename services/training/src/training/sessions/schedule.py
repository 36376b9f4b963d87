"""A session's times checked as a whole: a known time zone, wall-clock times that exist in it,
an end after the start, and a registration window that closes by the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from training.sessions.errors import (
    BadRegistrationWindow,
    EndsBeforeStart,
    NonexistentLocalTime,
    UnknownTimeZone,
)
from training.zones import local_to_utc, zone_named


@dataclass(frozen=True)
class Schedule:
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime


@dataclass(frozen=True)
class ScheduleIn:
    """Times as sent (wall-clock in `time_zone`, or aware); a window bound None takes its default."""

    time_zone: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None


def checked_schedule(given: ScheduleIn, *, now: datetime) -> Schedule:
    zone = zone_named(given.time_zone)
    if zone is None:
        raise UnknownTimeZone(
            "time_zone", f"{given.time_zone!r} is not an IANA time zone (such as Europe/Oslo)"
        )

    def utc(field: str, value: datetime) -> datetime:
        converted = local_to_utc(value, zone)
        if converted is None:
            raise NonexistentLocalTime(
                field,
                f"{value.isoformat()} does not exist in {given.time_zone}: clocks skip it",
            )
        return converted

    starts = utc("starts_at", given.starts_at)
    ends = utc("ends_at", given.ends_at)
    if ends <= starts:
        raise EndsBeforeStart("ends_at", "a session ends after it starts")
    opens = (
        utc("registration_opens_at", given.registration_opens_at)
        if given.registration_opens_at is not None
        else min(now, starts)
    )
    closes = (
        utc("registration_closes_at", given.registration_closes_at)
        if given.registration_closes_at is not None
        else starts
    )
    if closes <= opens:
        raise BadRegistrationWindow("registration_closes_at", "registration closes after it opens")
    if closes > ends:
        raise BadRegistrationWindow(
            "registration_closes_at", "registration closes by the end of the session"
        )
    return Schedule(given.time_zone, starts, ends, opens, closes)
