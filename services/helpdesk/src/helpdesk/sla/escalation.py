"""The escalation job: a running clock past its due time is flagged breached and escalated, once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.jobs import Job, JobRun
from helpdesk.db import trail
from helpdesk.tickets import clocks
from helpdesk.tickets.events import SlaBreached
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import audited

JOB_NAME = "sla_escalation"
EVERY = timedelta(minutes=1)
BATCH = 500
ESCALATED_TAG = "sla-breached"
SYSTEM = Principal(subject="system:sla-escalation", roles=frozenset())


def _overdue(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            Ticket.first_responded_at.is_(None),
            Ticket.first_response_breached.is_(false()),
            Ticket.first_response_due_at <= now,
        ),
        and_(
            Ticket.resolved_at.is_(None),
            Ticket.resolution_breached.is_(false()),
            Ticket.resolution_due_at <= now,
        ),
    )


async def escalate_overdue(session: AsyncSession, *, now: datetime) -> int:
    """Flag and escalate every clock past due by `now`; the number of clocks escalated."""
    tickets = (
        await session.scalars(
            select(Ticket)
            .where(Ticket.state.not_in(("resolved", "closed")), _overdue(now))
            .order_by(Ticket.id)
            .limit(BATCH)
        )
    ).all()
    escalated = 0
    for ticket in tickets:
        before = audited(ticket)
        for name in clocks.CLOCKS:
            due = clocks.due_of(ticket, name)
            running = clocks.stopped_at(ticket, name) is None
            if not running or due is None or due > now or clocks.breached(ticket, name):
                continue
            clocks.flag_breached(ticket, name, True)
            ticket.escalated_at = ticket.escalated_at or now
            ticket.tags = sorted({*ticket.tags, ESCALATED_TAG})
            ticket.updated_at = now
            await session.flush()
            await trail.announce(
                session,
                SlaBreached(
                    clock=name,
                    due_at=due.isoformat(),
                    priority=ticket.priority,
                    service_id=ticket.service_id,
                    escalated=True,
                ),
                principal=SYSTEM,
                change=Change("ticket", str(ticket.id), before=before, after=audited(ticket)),
                subject=str(ticket.id),
                request_id=None,
            )
            before = audited(ticket)
            escalated += 1
    return escalated


async def _run(run: JobRun) -> datetime | None:
    count = await escalate_overdue(run.session, now=run.now)
    # A full batch: more may be due at once.
    return run.now if count >= BATCH else None


sla_escalation_job = Job(name=JOB_NAME, run=_run, every=EVERY)
