"""Explaining a ticket's clocks from the hours module's own account of what it counted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.catalogue.calendars import business_calendar
from helpdesk.catalogue.models import CalendarRow, SupportService
from helpdesk.hours.calendar import BusinessCalendar
from helpdesk.hours.clock import Segment, explain
from helpdesk.sla.schemas import ClockExplainedOut, IntervalOut, SlaOut
from helpdesk.tickets import clocks
from helpdesk.tickets.models import Ticket

Status = Literal["running", "paused", "met", "breached"]
# The explanation of a clock paused for a long time is cut to this many intervals.
MAX_INTERVALS = 400


def _minutes(span: timedelta) -> float:
    return round(span.total_seconds() / 60, 2)


def _status(state: clocks.ClockState, *, breached: bool, now: datetime) -> Status:
    if state.stopped_at is not None:
        return "breached" if breached else "met"
    if breached or (state.due_at is not None and now > state.due_at):
        return "breached"
    return "paused" if state.due_at is None else "running"


def explain_clock(
    ticket: Ticket, name: clocks.ClockName, calendar: BusinessCalendar, *, now: datetime
) -> ClockExplainedOut:
    state = clocks.clock_state(ticket, name, calendar)
    end = state.due_at or state.stopped_at or now
    if state.stopped_at is not None and state.stopped_at > end:
        end = state.stopped_at
    segments = explain(calendar, state.started_at, end, state.pauses)
    counted = clocks.elapsed(state, calendar, now=now)
    return ClockExplainedOut(
        clock=name,
        target_minutes=int(state.target.total_seconds() // 60),
        started_at=state.started_at,
        due_at=state.due_at,
        stopped_at=state.stopped_at,
        status=_status(state, breached=clocks.breached(ticket, name), now=now),
        counted_minutes=_minutes(counted),
        remaining_minutes=_minutes(max(state.target - counted, timedelta())),
        intervals=intervals_out(segments, calendar.tz),
    )


def intervals_out(segments: Sequence[Segment], zone: tzinfo) -> list[IntervalOut]:
    """The hours module's stretches as the API shows them, also in the calendar's own time."""
    return [
        IntervalOut(
            start=s.start,
            end=s.end,
            local_start=s.start.astimezone(zone).isoformat(),
            local_end=s.end.astimezone(zone).isoformat(),
            counted=s.counted,
            reason=s.reason,
            minutes=_minutes(s.length),
        )
        for s in segments[:MAX_INTERVALS]
    ]


async def explain_ticket(session: AsyncSession, *, ticket: Ticket, now: datetime) -> SlaOut:
    row = await session.scalar(
        select(CalendarRow)
        .join(SupportService, SupportService.calendar_id == CalendarRow.id)
        .where(SupportService.id == ticket.service_id)
    )
    if row is None:
        raise LookupError(f"ticket {ticket.id}'s service has no calendar")
    calendar = business_calendar(row)
    return SlaOut(
        ticket_id=ticket.id,
        priority=ticket.priority,
        calendar=row.code,
        time_zone=row.time_zone,
        clocks=[explain_clock(ticket, name, calendar, now=now) for name in clocks.CLOCKS],
    )
