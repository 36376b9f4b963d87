"""Time counted in business hours: measuring, adding, pausing, and explaining what was counted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.hours.calendar import BusinessCalendar

# Adding a duration looks this far ahead at most: a calendar closed for longer is misconfigured.
HORIZON = timedelta(days=3 * 366)
PAUSED = "paused"


class NoBusinessTime(ValueError):
    """The calendar has no business time within the horizon for what was asked."""


@dataclass(frozen=True)
class Pause:
    """The clock stopped from `start` until `end` (None: still stopped), with the reason."""

    start: datetime
    end: datetime | None
    reason: str = "pending on the library"


@dataclass(frozen=True)
class Segment:
    """A stretch of time: counted (business time) or skipped, with why."""

    start: datetime
    end: datetime
    counted: bool
    reason: str

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def _aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone")


def _calendar_segments(calendar: BusinessCalendar, start: datetime) -> Iterator[Segment]:
    """Open and closed stretches of the calendar from `start` on, to the horizon."""
    day = calendar.local_day(start)
    last = calendar.local_day(start + HORIZON)
    while day <= last:
        plan = calendar.plan(day)
        cursor = plan.begins
        for span_start, span_end in plan.open_spans:
            if span_start > cursor:
                yield Segment(cursor, span_start, False, "outside business hours")
            yield Segment(span_start, span_end, True, "business hours")
            cursor = span_end
        if plan.ends > cursor:
            reason = plan.closed_reason or "outside business hours"
            yield Segment(cursor, plan.ends, False, reason)
        day = plan.day + timedelta(days=1)


def _ordered_pauses(pauses: Sequence[Pause]) -> list[Pause]:
    ordered = sorted(pauses, key=lambda pause: pause.start)
    for pause in ordered:
        _aware(pause.start, "a pause's start")
        if pause.end is not None:
            _aware(pause.end, "a pause's end")
            if pause.end < pause.start:
                raise ValueError("a pause ends after it starts")
    return ordered


def _split_by_pauses(segment: Segment, pauses: Sequence[Pause]) -> Iterator[Segment]:
    """A counted segment with the paused parts marked skipped; other segments pass through."""
    if not segment.counted:
        yield segment
        return
    cursor = segment.start
    for pause in pauses:
        pause_end = pause.end or segment.end
        if pause_end <= cursor or pause.start >= segment.end:
            continue
        if pause.start > cursor:
            yield Segment(cursor, pause.start, True, segment.reason)
        stop = min(pause_end, segment.end)
        yield Segment(max(pause.start, cursor), stop, False, f"{PAUSED}: {pause.reason}")
        cursor = stop
        if cursor >= segment.end:
            return
    if cursor < segment.end:
        yield Segment(cursor, segment.end, True, segment.reason)


def timeline(
    calendar: BusinessCalendar, start: datetime, pauses: Sequence[Pause] = ()
) -> Iterator[Segment]:
    """Every stretch from `start` on, counted or skipped with its reason, pauses applied."""
    _aware(start, "start")
    ordered = _ordered_pauses(pauses)
    for segment in _calendar_segments(calendar, start):
        if segment.end <= start:
            continue
        clipped = Segment(max(segment.start, start), segment.end, segment.counted, segment.reason)
        yield from _split_by_pauses(clipped, ordered)


def measure(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> timedelta:
    """Business time counted from `start` to `end` (zero when `end` is not after `start`)."""
    _aware(end, "end")
    total = timedelta()
    if end <= start:
        return total
    for segment in timeline(calendar, start, pauses):
        if segment.start >= end:
            break
        if segment.counted:
            total += min(segment.end, end) - segment.start
    return total


def add(
    calendar: BusinessCalendar, start: datetime, duration: timedelta, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """The instant when `duration` of business time has been counted from `start`.

    None when an open pause stops the clock first. A due time falls at the end of a span rather
    than the start of the next (a target of 8 hours from Monday 08:00 is Monday 16:00).
    """
    if duration < timedelta():
        raise ValueError("a duration is not negative")
    remaining = duration
    if not remaining:
        return start
    open_pause = next((p for p in pauses if p.end is None), None)
    for segment in timeline(calendar, start, pauses):
        if open_pause is not None and segment.start >= open_pause.start:
            return None
        if segment.counted:
            if segment.length >= remaining:
                return segment.start + remaining
            remaining -= segment.length
    if open_pause is not None:
        return None
    raise NoBusinessTime(f"no {duration} of business time within {HORIZON.days} days")


def explain(
    calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> list[Segment]:
    """The stretches between `start` and `end`, neighbours with the same reason merged."""
    _aware(end, "end")
    merged: list[Segment] = []
    if end <= start:
        return merged
    for segment in timeline(calendar, start, pauses):
        if segment.start >= end:
            break
        piece = Segment(segment.start, min(segment.end, end), segment.counted, segment.reason)
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.end == piece.start
            and (last.counted, last.reason) == (piece.counted, piece.reason)
        ):
            merged[-1] = Segment(last.start, piece.end, last.counted, last.reason)
        else:
            merged.append(piece)
    return merged
