"""The closing job: a resolved ticket not reopened within the window closes by itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from chassis.jobs import Job, JobRun
from helpdesk.settings import HelpdeskSettings
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.workflow import apply_move

JOB_NAME = "close_resolved_tickets"
EVERY = timedelta(minutes=15)
BATCH = 500
SYSTEM = Principal(subject="system:closing", roles=frozenset())


async def close_expired(session: AsyncSession, *, now: datetime, window_days: int) -> int:
    """Close every ticket resolved more than `window_days` ago; how many were closed."""
    tickets = (
        await session.scalars(
            select(Ticket)
            .where(
                Ticket.state == "resolved", Ticket.resolved_at <= now - timedelta(days=window_days)
            )
            .order_by(Ticket.id)
            .limit(BATCH)
        )
    ).all()
    for ticket in tickets:
        await apply_move(
            session, principal=SYSTEM, ticket=ticket, to="closed", at=now, request_id=None
        )
    return len(tickets)


async def _run(run: JobRun) -> datetime | None:
    window = run.settings.reopen_window_days if isinstance(run.settings, HelpdeskSettings) else 7
    closed = await close_expired(run.session, now=run.now, window_days=window)
    return run.now if closed >= BATCH else None


close_resolved_job = Job(name=JOB_NAME, run=_run, every=EVERY)
