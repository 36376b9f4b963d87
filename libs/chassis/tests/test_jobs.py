"""Background jobs without HTTP: claim, run, advance, leases, compare-and-set, failures, due
times, start and stop, and the kit's purge of Idempotency-Key records, on both backends."""

import asyncio
import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from chassis.conformance import migration_faults
from chassis.db import Database
from chassis.jobs import (
    FAILED,
    LEASE_LOST,
    OK,
    PURGE_IDEMPOTENCY_JOB,
    Job,
    JobRunner,
    purge_idempotency_records,
)
from chassis.types import utcnow
from notes_app.app import SPEC, Base, Note, NotesSettings, idempotency, jobs

NAME = "notes-jobs"
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
EVERY = timedelta(minutes=10)
LEASE = timedelta(seconds=30)


@pytest.fixture
async def opened(databases):
    """(settings, [Database, Database]): two engines on one migrated database, as two replicas."""
    url = await databases.migrated(NAME, SPEC.alembic_ini)
    settings = NotesSettings(
        database_url=url,
        jobs={"poll_seconds": 0.05, "lease_seconds": LEASE.total_seconds()},
    )
    first, second = Database(settings), Database(settings)
    try:
        yield settings, [first, second]
    finally:
        await first.dispose()
        await second.dispose()
        await databases.empty(NAME)


def _note_job(name="notes", *, every=EVERY, fail_first=0, wanted=None, calls=None):
    """A job that adds a note titled after its run (so its writes can be counted), and can fail
    its first `fail_first` runs after writing, or name its next due time."""
    seen = [] if calls is None else calls

    async def run(job_run):
        seen.append(job_run.now)
        job_run.session.add(
            Note(
                id=uuid.uuid4(),
                title=f"{name}@{job_run.now.isoformat()}",
                body="",
                author="job",
                created_at=job_run.now,
                updated_at=job_run.now,
            )
        )
        await job_run.session.flush()
        if len(seen) <= fail_first:
            raise RuntimeError(f"run {len(seen)} of {name} fails")
        return wanted(job_run.now) if wanted else None

    return Job(name=name, run=run, every=every)


async def _row(db, name):
    async with db.reader() as session:
        return (await session.execute(select(jobs).where(jobs.c.name == name))).mappings().one()


async def _notes(db):
    async with db.reader() as session:
        return sorted((await session.scalars(select(Note.title))).all())


async def test_a_due_job_runs_and_advances_its_schedule(opened):
    settings, (db, _) = opened
    runner = JobRunner(db, [_note_job()], settings)
    await runner.ensure_rows(T0)
    assert await runner.run_due(T0) == [("notes", OK)]
    row = await _row(db, "notes")
    assert row["next_due_at"] == T0 + EVERY
    assert (row["lease_owner"], row["lease_token"], row["lease_expires_at"]) == (None, None, None)
    assert (row["run_count"], row["failure_count"], row["last_started_at"]) == (1, 0, T0)
    # Not due again before its interval, due at it.
    assert await runner.run_due(T0 + EVERY - timedelta(seconds=1)) == []
    assert await runner.run_due(T0 + EVERY) == [("notes", OK)]
    assert len(await _notes(db)) == 2
    assert (await _row(db, "notes"))["next_due_at"] == T0 + 2 * EVERY


async def test_replicas_starting_together_create_each_row_once(opened):
    settings, dbs = opened
    job_list = [_note_job("a"), _note_job("b")]
    runners = [JobRunner(db, job_list, settings) for db in dbs for _ in range(3)]
    await asyncio.gather(*(r.ensure_rows(T0) for r in runners))
    # A later start leaves the schedule alone.
    await runners[0].ensure_rows(T0 + timedelta(days=1))
    async with dbs[0].reader() as session:
        rows = (await session.execute(select(jobs.c.name, jobs.c.next_due_at))).all()
    assert sorted(rows) == [("a", T0), ("b", T0)]


async def test_replicas_claiming_at_once_get_a_job_once(opened):
    settings, dbs = opened
    runners = [JobRunner(db, [_note_job()], settings) for db in dbs for _ in range(2)]
    await runners[0].ensure_rows(T0)
    claims = await asyncio.gather(*(r.claim(T0) for r in runners))
    assert sum(c is not None for c in claims) == 1


async def test_a_held_lease_keeps_others_off_until_it_expires(opened):
    settings, (db_a, db_b) = opened
    holder = JobRunner(db_a, [_note_job()], settings)
    other = JobRunner(db_b, [_note_job()], settings)
    await holder.ensure_rows(T0)
    claim = await holder.claim(T0)
    assert claim is not None
    assert claim.lease_expires_at == T0 + LEASE
    row = await _row(db_a, "notes")
    assert row["lease_owner"] == holder.owner
    # The holder "crashed": nobody finishes its run, the lease is all that is left.
    assert await other.run_due(T0 + LEASE - timedelta(seconds=1)) == []
    assert await other.run_due(T0 + LEASE) == [("notes", OK)]
    row = await _row(db_b, "notes")
    assert row["run_count"] == 1
    assert row["lease_owner"] is None
    # The run was for the due time the crashed holder had claimed.
    assert row["next_due_at"] == T0 + LEASE + EVERY


async def test_a_holder_whose_lease_was_taken_over_cannot_commit(opened):
    settings, (db_a, db_b) = opened
    slow = JobRunner(db_a, [_note_job()], settings)
    fresh = JobRunner(db_b, [_note_job()], settings)
    await slow.ensure_rows(T0)
    stale_claim = await slow.claim(T0)
    taken = await fresh.claim(T0 + LEASE + timedelta(seconds=1))
    assert stale_claim is not None
    assert taken is not None
    assert taken.due_at == stale_claim.due_at == T0
    # The slow holder finishes after the takeover: its compare-and-set finds another token.
    assert await slow.run_claimed(stale_claim) == LEASE_LOST
    assert await _notes(db_a) == []
    assert await fresh.run_claimed(taken) == OK
    assert await _notes(db_a) == [f"notes@{taken.now.isoformat()}"]
    row = await _row(db_a, "notes")
    assert (row["run_count"], row["failure_count"]) == (1, 0)


async def test_a_failing_job_is_rolled_back_recorded_and_retried(opened):
    settings, (db, _) = opened
    flaky, steady = _note_job("flaky", fail_first=1), _note_job("steady")
    runner = JobRunner(db, [flaky, steady], settings)
    await runner.ensure_rows(T0)
    assert sorted(await runner.run_due(T0)) == [("flaky", FAILED), ("steady", OK)]
    # The failed run's note is gone with its transaction; the other job's run is not affected.
    assert await _notes(db) == [f"steady@{T0.isoformat()}"]
    row = await _row(db, "flaky")
    assert row["last_error"] == "RuntimeError: run 1 of flaky fails"
    assert (row["failure_count"], row["run_count"], row["lease_token"]) == (1, 0, None)
    assert row["next_due_at"] == T0 + EVERY
    # Retried at its next due time, and then it succeeds.
    assert await runner.run_due(T0 + EVERY - timedelta(seconds=1)) == []
    outcomes = await runner.run_due(T0 + EVERY)
    assert ("flaky", OK) in outcomes
    row = await _row(db, "flaky")
    assert (row["failure_count"], row["run_count"]) == (1, 1)
    assert row["last_error_at"] is not None


async def test_prepare_runs_outside_the_transaction_and_hands_its_result_to_the_run(opened):
    """A job's call to another system (a feed, a SUSHI endpoint) holds no write lock: while it
    waits, another writer commits; what it fetched reaches the run's transaction."""
    settings, (db, other) = opened
    written = []

    async def fetch(context):
        # Another replica's request writes while this job waits on the network.
        async with other.writer() as session, session.begin():
            session.add(
                Note(
                    id=uuid.uuid4(),
                    title="meanwhile",
                    body="",
                    author="request",
                    created_at=context.now,
                    updated_at=context.now,
                )
            )
        return [f"fetched@{context.due_at.isoformat()}"]

    async def store(run):
        for title in run.prepared:
            run.session.add(
                Note(
                    id=uuid.uuid4(),
                    title=title,
                    body="",
                    author="job",
                    created_at=run.now,
                    updated_at=run.now,
                )
            )
            written.append(title)
        return

    runner = JobRunner(db, [Job(name="harvest", run=store, every=EVERY, prepare=fetch)], settings)
    await runner.ensure_rows(T0)
    assert await runner.run_due(T0) == [("harvest", OK)]
    assert await _notes(db) == [f"fetched@{T0.isoformat()}", "meanwhile"]
    assert written == [f"fetched@{T0.isoformat()}"]


async def test_a_failing_prepare_fails_the_run_and_is_retried(opened):
    settings, (db, _) = opened

    async def unreachable(context):
        raise ConnectionError("the feed did not answer")

    async def store(run):
        raise AssertionError("never reached without its prepared data")

    runner = JobRunner(
        db, [Job(name="harvest", run=store, every=EVERY, prepare=unreachable)], settings
    )
    await runner.ensure_rows(T0)
    assert await runner.run_due(T0) == [("harvest", FAILED)]
    row = await _row(db, "harvest")
    assert row["last_error"] == "ConnectionError: the feed did not answer"
    assert (row["next_due_at"], row["lease_token"]) == (T0 + EVERY, None)


async def test_a_job_can_name_its_next_due_time(opened):
    settings, (db, _) = opened
    soon = _note_job(
        "soon", every=timedelta(hours=1), wanted=lambda now: now + timedelta(seconds=5)
    )
    late = _note_job("late", every=timedelta(hours=1), wanted=lambda now: now + timedelta(days=2))
    runner = JobRunner(db, [soon, late], settings)
    await runner.ensure_rows(T0)
    await runner.run_due(T0)
    assert (await _row(db, "soon"))["next_due_at"] == T0 + timedelta(seconds=5)
    # A time beyond the interval does not stretch it.
    assert (await _row(db, "late"))["next_due_at"] == T0 + timedelta(hours=1)
    states = {s.name: s for s in await runner.states()}
    assert states["soon"].available_at() == T0 + timedelta(seconds=5)


async def test_the_runner_wakes_at_a_due_time_long_before_its_next_poll(opened):
    settings, (db, _) = opened
    slow_poll = settings.model_copy(
        update={"jobs": settings.jobs.model_copy(update={"poll_seconds": 60})}
    )
    calls: list[datetime] = []
    third = asyncio.Event()

    def next_due(now):
        if len(calls) >= 3:
            third.set()
        return now + timedelta(seconds=0.3)

    job = _note_job("deadline", every=timedelta(hours=1), wanted=next_due, calls=calls)
    async with JobRunner(db, [job], slow_poll):
        await asyncio.wait_for(third.wait(), 15)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(calls)]
    # Each run names a due time 0.3 s on: woken then (plus at most 0.1 s of jitter and the
    # machine's delays), not at the 60 s poll.
    assert all(0.3 <= gap < 5 for gap in gaps), gaps


async def test_stopping_waits_for_the_run_in_progress(opened):
    settings, (db, _) = opened
    entered = asyncio.Event()

    async def slow(job_run):
        entered.set()
        await asyncio.sleep(0.5)
        job_run.session.add(
            Note(
                id=uuid.uuid4(),
                title="slow",
                body="",
                author="job",
                created_at=job_run.now,
                updated_at=job_run.now,
            )
        )

    runner = JobRunner(db, [Job(name="slow", run=slow, every=EVERY)], settings)
    await runner.start()
    await asyncio.wait_for(entered.wait(), 10)
    await runner.stop()
    assert await _notes(db) == ["slow"]
    row = await _row(db, "slow")
    assert row["run_count"] == 1
    assert row["lease_token"] is None


async def test_a_disabled_runner_runs_nothing(opened):
    settings, (db, _) = opened
    off = settings.model_copy(update={"jobs": settings.jobs.model_copy(update={"enabled": False})})
    async with JobRunner(db, [_note_job()], off):
        await asyncio.sleep(0.3)
    async with db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(jobs)) == 0


def test_job_names_are_checked():
    with pytest.raises(ValueError, match="1 to 100"):
        _note_job("x" * 101)
    with pytest.raises(ValueError, match="positive"):
        _note_job(every=timedelta(0))
    with pytest.raises(ValueError, match="distinct"):
        JobRunner(None, [_note_job(), _note_job()], NotesSettings())  # type: ignore[arg-type]


async def _record(db, key, age):
    async with db.writer() as session, session.begin():
        await session.execute(
            insert(idempotency).values(
                principal="client-1",
                key=key,
                method="POST",
                path="/v1/notes",
                request_hash="0" * 64,
                status_code=201,
                body="{}",
                headers={},
                created_at=utcnow() - age,
            )
        )


async def _keys(db):
    async with db.reader() as session:
        return sorted((await session.scalars(select(idempotency.c.key))).all())


async def test_the_purge_deletes_only_expired_idempotency_records(opened):
    settings, (db, _) = opened
    for key, hours in (("old-1", 25), ("old-2", 24.01), ("young", 23.9), ("new", 0)):
        await _record(db, key, timedelta(hours=hours))
    runner = JobRunner(db, [purge_idempotency_records(idempotency)], settings)
    await runner.ensure_rows()
    assert await runner.run_due() == [(PURGE_IDEMPOTENCY_JOB, OK)]
    assert await _keys(db) == ["new", "young"]
    row = await _row(db, PURGE_IDEMPOTENCY_JOB)
    assert row["next_due_at"] - row["last_started_at"] == timedelta(hours=1)


async def test_the_purge_follows_the_retention_setting_and_works_in_batches(opened):
    settings, (db, _) = opened
    for i in range(5):
        await _record(db, f"k{i}", timedelta(hours=2))
    short = settings.model_copy(update={"idempotency_retention_hours": 1})
    runner = JobRunner(db, [purge_idempotency_records(idempotency, batch=2)], short)
    await runner.ensure_rows(T0)
    now = utcnow()
    await runner.run_due(now)
    # A full batch leaves the job due at once: the runner comes back for the rest.
    assert await _keys(db) == ["k2", "k3", "k4"]
    assert (await _row(db, PURGE_IDEMPOTENCY_JOB))["next_due_at"] == now
    await runner.run_due(now + timedelta(seconds=1))
    await runner.run_due(now + timedelta(seconds=2))
    assert await _keys(db) == []


async def test_the_notes_migrations_match_its_tables(databases):
    url = await databases.fresh_url("notes-jobs-migrations")
    assert await migration_faults(url, SPEC.alembic_ini, Base.metadata) == []


async def test_a_service_runs_its_jobs_from_its_lifespan_and_counts_them(service_client):
    ran = 'jobs_runs_total{job="purge_idempotency_records",outcome="ok"} 1.0'
    async with service_client(SPEC, NotesSettings, jobs={"poll_seconds": 0.05}) as (client, _):
        for _ in range(200):
            metrics = (await client.get("/metrics")).text
            if ran in metrics:
                break
            await asyncio.sleep(0.05)
    assert ran in metrics
    assert 'jobs_run_duration_seconds_count{job="purge_idempotency_records"} 1.0' in metrics
