"""A round's deadlines pass at the local instant of its own time zone, across the October DST
change; the offer deadline closes the round by itself through the kit's jobs, once, however many
replicas run the job."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from procurement_factories import round_payload
from sqlalchemy import func, select

from catalogue_licensing.app import SPEC
from catalogue_licensing.db import outbox
from catalogue_licensing.demo.ids import DEMO_PRINCIPAL
from catalogue_licensing.procurement.rounds import service
from catalogue_licensing.procurement.rounds.calendar import NotALocalTime, local_instant
from catalogue_licensing.procurement.rounds.closing import CLOSE_ROUNDS
from catalogue_licensing.procurement.rounds.errors import MoveTooEarly, MoveTooLate
from catalogue_licensing.procurement.rounds.models import ProcurementRound, RoundMove
from catalogue_licensing.procurement.rounds.schemas import RoundIn
from catalogue_licensing.procurement.rounds.states import RoundState
from catalogue_licensing.procurement.rounds.wake import CLOSE_ROUNDS_JOB
from catalogue_licensing.settings import CatalogueSettings
from chassis.db import Database
from chassis.jobs import OK, JobRunner

OSLO = ZoneInfo("Europe/Oslo")
# 2026's October change in Oslo: 03:00 CEST becomes 02:00 CET on Sunday 25 October (01:00 UTC).


def test_a_wall_clock_deadline_takes_the_offset_of_its_own_day():
    before = local_instant(datetime(2026, 10, 24, 12, 0), OSLO)
    after = local_instant(datetime(2026, 10, 26, 12, 0), OSLO)
    assert before == datetime(2026, 10, 24, 10, 0, tzinfo=UTC)
    assert after == datetime(2026, 10, 26, 11, 0, tzinfo=UTC)
    # Clocks show 02:30 twice on the 25th: the deadline passes the first time.
    assert local_instant(datetime(2026, 10, 25, 2, 30), OSLO) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    with pytest.raises(NotALocalTime):
        local_instant(datetime(2026, 3, 29, 2, 30), OSLO)
    # An instant with an offset is kept as the instant it names.
    aware = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)
    assert local_instant(aware, OSLO) == aware


async def _round(session, deadline: datetime, state: RoundState) -> ProcurementRound:
    body = RoundIn.model_validate(
        round_payload(
            deadline,
            offer_deadline=deadline.astimezone(OSLO).replace(tzinfo=None).isoformat(),
            doffin_published_on="2026-06-01",
            ted_published_on="2026-06-01",
            supplier_meeting_on="2026-06-01",
        )
    )
    return await service.create_round(
        session, principal=DEMO_PRINCIPAL, body=body, request_id=None, state=state
    )


@pytest.fixture
async def opened(databases):
    """(settings, [Database, Database]): two engines on one migrated catalogue, as two replicas."""
    url = await databases.migrated(SPEC.name, SPEC.alembic_ini)
    settings = CatalogueSettings(database_url=url, jobs={"lease_seconds": 30})
    first, second = Database(settings), Database(settings)
    try:
        yield settings, [first, second]
    finally:
        await first.dispose()
        await second.dispose()
        await databases.empty(SPEC.name)


async def test_closing_waits_for_the_local_deadline_after_the_october_change(opened):
    _, (db, _) = opened
    # 12:00 on Monday 26 October in Oslo is 11:00 UTC (CET); with summer's offset it would be 10:00.
    deadline = local_instant(datetime(2026, 10, 26, 12, 0), OSLO)
    async with db.writer() as session, session.begin():
        round_ = await _round(session, deadline, RoundState.open)
        with pytest.raises(MoveTooEarly) as early:
            await service.move_round(
                session,
                principal=DEMO_PRINCIPAL,
                round_=round_,
                to=RoundState.closed,
                request_id=None,
                now=datetime(2026, 10, 26, 10, 30, tzinfo=UTC),
            )
        assert early.value.errors is not None
        assert early.value.errors[0].location == "body.offer_deadline"
        assert "2026-10-26T12:00:00+01:00" in early.value.detail
        await service.move_round(
            session,
            principal=DEMO_PRINCIPAL,
            round_=round_,
            to=RoundState.closed,
            request_id=None,
            now=datetime(2026, 10, 26, 11, 0, tzinfo=UTC),
        )
        assert round_.state == "closed"


async def test_the_negotiation_window_ends_with_its_last_local_day(opened):
    _, (db, _) = opened
    deadline = local_instant(datetime(2026, 10, 1, 12, 0), OSLO)
    async with db.writer() as session, session.begin():
        round_ = await _round(session, deadline, RoundState.closed)
        round_.negotiation_start = datetime(2026, 10, 3).date()
        round_.negotiation_end = datetime(2026, 10, 24).date()
        await session.flush()
        # 23:30 UTC on the 24th is already the 25th in Oslo (CEST, +02:00): the window has closed.
        with pytest.raises(MoveTooLate):
            await service.move_round(
                session,
                principal=DEMO_PRINCIPAL,
                round_=round_,
                to=RoundState.negotiation,
                request_id=None,
                now=datetime(2026, 10, 24, 22, 0, tzinfo=UTC),
            )
        await service.move_round(
            session,
            principal=DEMO_PRINCIPAL,
            round_=round_,
            to=RoundState.negotiation,
            request_id=None,
            now=datetime(2026, 10, 24, 21, 59, tzinfo=UTC),
        )


async def test_the_deadline_closes_the_round_once_with_several_replicas(opened):
    settings, dbs = opened
    deadline = local_instant(datetime(2026, 10, 26, 12, 0), OSLO)
    async with dbs[0].writer() as session, session.begin():
        round_ = await _round(session, deadline, RoundState.open)
        later = await _round(session, deadline + timedelta(days=3), RoundState.open)
    runners = [JobRunner(db, [CLOSE_ROUNDS], settings) for db in dbs for _ in range(2)]
    await runners[0].ensure_rows(deadline - timedelta(hours=1))
    before = deadline - timedelta(seconds=1)
    ran = await asyncio.gather(*(r.run_due(before) for r in runners))
    assert sum(len(r) for r in ran) == 1
    # Nothing was due yet; the job wakes at the deadline itself, not a poll interval later.
    [state] = await runners[0].states()
    assert state.next_due_at == deadline
    ran = await asyncio.gather(*(r.run_due(deadline) for r in runners))
    assert [o for r in ran for o in r] == [(CLOSE_ROUNDS_JOB, OK)]
    async with dbs[1].reader() as session:
        states = dict(
            (await session.execute(select(ProcurementRound.id, ProcurementRound.state))).all()
        )
        closes = await session.scalar(
            select(func.count()).select_from(RoundMove).where(RoundMove.to_state == "closed")
        )
        events = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.type == "round.closed")
        )
    assert states == {round_.id: "closed", later.id: "open"}
    assert (closes, events) == (1, 1)


async def test_opening_a_round_brings_the_closing_job_forward_to_its_deadline(opened):
    settings, (db, _) = opened
    t0 = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    runner = JobRunner(db, [CLOSE_ROUNDS], settings)
    await runner.ensure_rows(t0)
    assert await runner.run_due(t0) == [(CLOSE_ROUNDS_JOB, OK)]
    [idle] = await runner.states()
    assert idle.next_due_at == t0 + CLOSE_ROUNDS.every
    deadline = t0 + timedelta(minutes=2)
    async with db.writer() as session, session.begin():
        round_ = await _round(session, deadline, RoundState.announced)
        await service.move_round(
            session,
            principal=DEMO_PRINCIPAL,
            round_=round_,
            to=RoundState.open,
            request_id=None,
            now=t0 + timedelta(seconds=1),
        )
    [woken] = await runner.states()
    assert woken.next_due_at == deadline
    assert await runner.run_due(deadline) == [(CLOSE_ROUNDS_JOB, OK)]
    async with db.reader() as session:
        assert await session.scalar(select(ProcurementRound.state)) == "closed"
