"""A ticket's two SLA clocks (first response, resolution) on its service's business calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from helpdesk.hours.calendar import BusinessCalendar
from helpdesk.hours.clock import Pause, add, measure
from helpdesk.tickets.models import Ticket

ClockName = Literal["first_response", "resolution"]
CLOCKS: tuple[ClockName, ...] = ("first_response", "resolution")


def pauses_of(ticket: Ticket) -> list[Pause]:
    return [
        Pause(
            datetime.fromisoformat(p["start"]),
            datetime.fromisoformat(p["end"]) if p["end"] else None,
            p["reason"],
        )
        for p in ticket.pauses
    ]


def open_pause(ticket: Ticket, *, at: datetime, reason: str) -> None:
    ticket.pauses = [*ticket.pauses, {"start": at.isoformat(), "end": None, "reason": reason}]


def close_pause(ticket: Ticket, *, at: datetime) -> None:
    closed: list[dict[str, Any]] = [
        p if p["end"] is not None else p | {"end": at.isoformat()} for p in ticket.pauses
    ]
    ticket.pauses = closed


@dataclass(frozen=True)
class ClockState:
    name: ClockName
    target: timedelta
    started_at: datetime
    # When the clock stopped (first public reply, resolution), or None while it runs.
    stopped_at: datetime | None
    # None while an open pause stops a running clock: no due time can be said.
    due_at: datetime | None
    pauses: tuple[Pause, ...]


def stopped_at(ticket: Ticket, name: ClockName) -> datetime | None:
    return ticket.first_responded_at if name == "first_response" else ticket.resolved_at


def target_of(ticket: Ticket, name: ClockName) -> timedelta:
    minutes = (
        ticket.first_response_minutes if name == "first_response" else ticket.resolution_minutes
    )
    return timedelta(minutes=minutes)


def clock_state(ticket: Ticket, name: ClockName, calendar: BusinessCalendar) -> ClockState:
    """The clock as it stands; a stopped clock counts only the pauses before it stopped."""
    stop = stopped_at(ticket, name)
    pauses = pauses_of(ticket)
    if stop is not None:
        pauses = [
            Pause(p.start, stop if p.end is None or p.end > stop else p.end, p.reason)
            for p in pauses
            if p.start < stop
        ]
    target = target_of(ticket, name)
    due = add(calendar, ticket.created_at, target, pauses)
    return ClockState(name, target, ticket.created_at, stop, due, tuple(pauses))


def elapsed(state: ClockState, calendar: BusinessCalendar, *, now: datetime) -> timedelta:
    return measure(calendar, state.started_at, state.stopped_at or now, state.pauses)


def retarget(ticket: Ticket, calendar: BusinessCalendar) -> None:
    """Due times from the targets and pauses as they are now (after a move or a priority change)."""
    ticket.first_response_due_at = clock_state(ticket, "first_response", calendar).due_at
    ticket.resolution_due_at = clock_state(ticket, "resolution", calendar).due_at


def late_stops(ticket: Ticket) -> list[ClockName]:
    """Clocks that stopped after their due time and are not yet flagged breached."""
    late: list[ClockName] = []
    for name in CLOCKS:
        stop, due = stopped_at(ticket, name), due_of(ticket, name)
        if stop is not None and due is not None and stop > due and not breached(ticket, name):
            late.append(name)
    return late


def due_of(ticket: Ticket, name: ClockName) -> datetime | None:
    return ticket.first_response_due_at if name == "first_response" else ticket.resolution_due_at


def breached(ticket: Ticket, name: ClockName) -> bool:
    return (
        ticket.first_response_breached if name == "first_response" else ticket.resolution_breached
    )


def flag_breached(ticket: Ticket, name: ClockName, value: bool) -> None:
    if name == "first_response":
        ticket.first_response_breached = value
    else:
        ticket.resolution_breached = value


def unflag_if_due_moved_later(ticket: Ticket, *, now: datetime) -> None:
    """After a re-target (a lower priority), a running clock no longer past due is not breached."""
    for name in CLOCKS:
        due = due_of(ticket, name)
        running = stopped_at(ticket, name) is None
        if running and breached(ticket, name) and (due is None or due > now):
            flag_breached(ticket, name, False)
