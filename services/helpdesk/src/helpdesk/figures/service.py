"""Figures computed from tickets and calls: stored business-time measures, never re-walked calendars."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.calls.models import Call
from helpdesk.catalogue.models import SupportService
from helpdesk.figures.measures import compliance, median, percentile
from helpdesk.figures.schemas import BacklogRow, PerformanceRow, VolumeRow
from helpdesk.tickets.models import Ticket

BACKLOG_STATES = ("new", "open", "pending", "resolved")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


async def _service_codes(session: AsyncSession) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(SupportService.id, SupportService.code))
    return {row.id: row.code for row in rows}


async def _tickets(session: AsyncSession, since: date, until: date) -> list[Ticket]:
    statement = (
        select(Ticket)
        .where(Ticket.created_at >= day_start(since), Ticket.created_at < day_start(until))
        .where(Ticket.merged_into_id.is_(None))
    )
    return list((await session.scalars(statement)).all())


def _keyer(by: str, codes: dict[uuid.UUID, str]) -> Callable[[object], str]:
    def key(row: object) -> str:
        if by == "service":
            return codes.get(row.service_id, str(row.service_id))  # type: ignore[attr-defined]
        if by == "library":
            return str(row.library_isil)  # type: ignore[attr-defined]
        if by == "channel":
            return str(getattr(row, "channel", "phone"))
        if by == "month":
            # When it happened, as the window is chosen: a call logged later is in its own month.
            return f"{_happened_at(row):%Y-%m}"  # type: ignore[arg-type]
        return str(getattr(row, by))

    return key


def _happened_at(row: Call | Ticket) -> datetime:
    """A call's time is when it took place (it may be logged afterwards); a ticket's, when it
    was raised."""
    return row.occurred_at if isinstance(row, Call) else row.created_at


async def volumes(session: AsyncSession, *, since: date, until: date, by: str) -> list[VolumeRow]:
    """Tickets raised and calls taken, grouped; a call counts in the phone channel."""
    key = _keyer(by, await _service_codes(session))
    counts: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for ticket in await _tickets(session, since, until):
        counts[key(ticket)][0] += 1
    calls = await session.scalars(
        select(Call).where(
            Call.occurred_at >= day_start(since), Call.occurred_at < day_start(until)
        )
    )
    for call in calls:
        entry = counts[key(call)]
        entry[1] += 1
        entry[2] += call.duration_seconds / 60
    return [
        VolumeRow(key=k, tickets=int(v[0]), calls=int(v[1]), call_minutes=round(v[2], 1))
        for k, v in sorted(counts.items())
    ]


@dataclass
class _Clocks:
    tickets: int = 0
    first: list[float] = field(default_factory=list)
    first_met: int = 0
    resolution: list[float] = field(default_factory=list)
    resolution_met: int = 0

    def add(self, ticket: Ticket) -> None:
        self.tickets += 1
        if ticket.first_response_seconds is not None:
            self.first.append(ticket.first_response_seconds / 60)
            self.first_met += not ticket.first_response_breached
        if ticket.resolution_seconds is not None and ticket.resolved_at is not None:
            self.resolution.append(ticket.resolution_seconds / 60)
            self.resolution_met += not ticket.resolution_breached

    def row(self, key: str) -> PerformanceRow:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        return PerformanceRow(
            key=key,
            tickets=self.tickets,
            first_response_measured=len(self.first),
            first_response_median_minutes=rounded(median(self.first)),
            first_response_p90_minutes=rounded(percentile(self.first, 0.9)),
            first_response_compliance_percent=compliance(self.first_met, len(self.first)),
            resolution_measured=len(self.resolution),
            resolution_median_minutes=rounded(median(self.resolution)),
            resolution_p90_minutes=rounded(percentile(self.resolution, 0.9)),
            resolution_compliance_percent=compliance(self.resolution_met, len(self.resolution)),
        )


def group_clocks(tickets: Iterable[Ticket], key: Callable[[Ticket], str]) -> dict[str, _Clocks]:
    groups: dict[str, _Clocks] = defaultdict(_Clocks)
    for ticket in tickets:
        groups[key(ticket)].add(ticket)
    return groups


async def performance(
    session: AsyncSession, *, since: date, until: date, by: str
) -> list[PerformanceRow]:
    """Business minutes to first response and to resolution of the tickets raised in the period."""
    key = _keyer(by, await _service_codes(session))
    groups = group_clocks(await _tickets(session, since, until), key)
    return [groups[k].row(k) for k in sorted(groups)]


async def backlog(session: AsyncSession, *, by: str, now: datetime) -> list[BacklogRow]:
    """Tickets not closed, by state, and how many have a running clock past due."""
    key = _keyer(by, await _service_codes(session))
    tickets = await session.scalars(select(Ticket).where(Ticket.state.in_(BACKLOG_STATES)))
    rows: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys((*BACKLOG_STATES, "overdue"), 0)
    )
    for ticket in tickets:
        entry = rows[key(ticket)]
        entry[ticket.state] += 1
        first_late = ticket.first_responded_at is None and _past(ticket.first_response_due_at, now)
        resolution_late = ticket.resolved_at is None and _past(ticket.resolution_due_at, now)
        entry["overdue"] += first_late or resolution_late
    return [BacklogRow(key=k, **v) for k, v in sorted(rows.items())]


def _past(due: datetime | None, now: datetime) -> bool:
    return due is not None and due < now


def quarter_of(day: date) -> tuple[date, date, str]:
    """The calendar quarter before the one `day` is in: its first day, the day after, its name."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    this_start = date(day.year, first_month, 1)
    start = (
        date(this_start.year - 1, 10, 1) if first_month == 1 else date(day.year, first_month - 3, 1)
    )
    return start, this_start, f"{start.year}-Q{(start.month - 1) // 3 + 1}"


async def quarter_results(
    session: AsyncSession, *, today: date
) -> tuple[str, dict[tuple[uuid.UUID, str], PerformanceRow]]:
    """Last quarter's results per (service, priority), for the published promises."""
    since, until, name = quarter_of(today)
    groups = group_clocks(
        await _tickets(session, since, until), lambda t: f"{t.service_id}|{t.priority}"
    )
    results = {}
    for key, clocks in groups.items():
        service_id, priority = key.split("|")
        results[(uuid.UUID(service_id), priority)] = clocks.row(priority)
    return name, results
