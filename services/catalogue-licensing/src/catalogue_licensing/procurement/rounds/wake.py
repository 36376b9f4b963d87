"""Bring the closing job's due time forward to a newly opened round's deadline, in the opening's
transaction: the job would otherwise look only at its next run (up to its interval later).
The kit has no call for this yet (its jobs name their next due time only when they run); it
belongs there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import jobs

CLOSE_ROUNDS_JOB = "close_rounds_at_offer_deadline"


async def wake_closing_job_at(session: AsyncSession, when: datetime) -> None:
    """The job is due at `when` if it was due later (a row not made yet is made due at once)."""
    await session.execute(
        update(jobs)
        .where(jobs.c.name == CLOSE_ROUNDS_JOB, jobs.c.next_due_at > when)
        .values(next_due_at=when)
    )
