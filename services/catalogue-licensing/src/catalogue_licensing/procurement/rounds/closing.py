"""The offer deadline closes its round by itself: a job (chassis.jobs, one leased row, so one
replica at a time) moves every open round whose deadline has passed to closed, and wakes again at
the next deadline still ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from catalogue_licensing.procurement.rounds import service
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import RoundState
from catalogue_licensing.procurement.rounds.wake import CLOSE_ROUNDS_JOB
from chassis.auth import Principal
from chassis.jobs import Job, JobRun

# Who the trail names for a move the clock made.
DEADLINE_CLOCK = Principal(
    subject="job:close_rounds_at_offer_deadline", roles=frozenset({"system"})
)
# A backstop only: the job names the next deadline as its next due time, and opening a round
# brings it forward to that round's deadline (wake.py).
EVERY = timedelta(minutes=5)


async def close_due_rounds(run: JobRun) -> datetime | None:
    """Close every open round whose offer deadline passed by `run.now`; the next deadline ahead
    is when the job is due again."""
    open_ = ProcurementRound.state == RoundState.open.value
    due = await run.session.scalars(
        select(ProcurementRound)
        .where(open_, ProcurementRound.offer_deadline <= run.now)
        .order_by(ProcurementRound.offer_deadline)
        .with_for_update()
    )
    for round_ in due.all():
        await service.move_round(
            run.session,
            principal=DEADLINE_CLOCK,
            round_=round_,
            to=RoundState.closed,
            request_id=f"job:{CLOSE_ROUNDS_JOB}",
            now=run.now,
        )
    return await run.session.scalar(
        select(func.min(ProcurementRound.offer_deadline)).where(
            open_, ProcurementRound.offer_deadline > run.now
        )
    )


CLOSE_ROUNDS = Job(name=CLOSE_ROUNDS_JOB, run=close_due_rounds, every=EVERY)
