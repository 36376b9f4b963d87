"""Periodic and due-time background work, safe with several replicas: one leased row per job in the service's own database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import (
    BigInteger,
    Column,
    CursorResult,
    MetaData,
    String,
    Table,
    Text,
    Update,
    Uuid,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from chassis.runtime import Runtime
from chassis.settings import ServiceSettings
from chassis.types import UTCDateTime, utcnow

log = structlog.get_logger("chassis.jobs")

MAX_JOB_NAME = 100
# What is kept of a failed run's error: enough to read the cause, not a whole traceback.
MAX_ERROR_TEXT = 2000
# The shortest pause between two looks at the schedule, so a row that looks due but cannot be
# claimed yet (another replica is committing it) does not spin the loop.
_MIN_PAUSE_SECONDS = 0.05
# Replicas started together spread their first look over up to this long.
_START_SPREAD_SECONDS = 1.0

OK = "ok"
FAILED = "failed"
LEASE_LOST = "lease_lost"


def jobs_table(metadata: MetaData) -> Table:
    return Table(
        "scheduled_jobs",
        metadata,
        Column("name", String(MAX_JOB_NAME), primary_key=True),
        Column("next_due_at", UTCDateTime, nullable=False),
        Column("lease_owner", String(200), nullable=True),
        # New at every claim: a run commits only while the row still carries its own token.
        Column("lease_token", Uuid, nullable=True),
        Column("lease_expires_at", UTCDateTime, nullable=True),
        Column("last_started_at", UTCDateTime, nullable=True),
        Column("last_finished_at", UTCDateTime, nullable=True),
        Column("last_error", Text, nullable=True),
        Column("last_error_at", UTCDateTime, nullable=True),
        Column("run_count", BigInteger, nullable=False),
        Column("failure_count", BigInteger, nullable=False),
    )


# The runner's own copy of the table: the SQL is the same as for the copy in the service's
# metadata (which its migrations create), so a ServiceSpec needs to name only its jobs.
_jobs = jobs_table(MetaData())


@dataclass(frozen=True)
class JobContext:
    """What a job's `prepare` gets: the claimed run's times, the settings and, in a service, its
    runtime (outbound HTTP client, resources). No transaction is open."""

    now: datetime
    due_at: datetime
    settings: ServiceSettings
    # None when the runner was built without a service around it (use-case tests).
    runtime: Runtime | None


@dataclass(frozen=True)
class JobRun:
    """What a job function gets: the run's transaction, the time it runs for, and the settings.

    The function does everything due by `now` in `session` (it may flush, never commit) and may
    return when it is next due from its own data (e.g. the earliest deadline still open);
    None means after the job's interval. A time at or before `now` means "more is due at once".
    """

    session: AsyncSession
    now: datetime
    # The due time this run was claimed for; unique per job, so usable as an idempotency key.
    due_at: datetime
    settings: ServiceSettings
    # What the job's `prepare` answered (None without one).
    prepared: object = None
    runtime: Runtime | None = None


JobFunction = Callable[[JobRun], Awaitable[datetime | None]]
# Work that must not hold a transaction (a call to another system: a feed to harvest, a SUSHI
# endpoint): it runs after the claim and before the run's transaction, under the same lease.
PrepareFunction = Callable[[JobContext], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    """A named piece of work, run at most every `every` by one replica at a time."""

    name: str
    run: JobFunction
    every: timedelta
    prepare: PrepareFunction | None = None

    def __post_init__(self) -> None:
        if not 0 < len(self.name) <= MAX_JOB_NAME:
            raise ValueError(f"a job name has 1 to {MAX_JOB_NAME} characters: {self.name!r}")
        if self.every <= timedelta(0):
            raise ValueError(f"job {self.name}: `every` must be positive")


@dataclass(frozen=True)
class Claim:
    """A job this process has leased, for one due time."""

    name: str
    token: uuid.UUID
    due_at: datetime
    now: datetime
    lease_expires_at: datetime


@dataclass(frozen=True)
class JobState:
    """One job's row as the runner reads it."""

    name: str
    next_due_at: datetime
    lease_owner: str | None
    lease_expires_at: datetime | None
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    run_count: int
    failure_count: int

    def available_at(self) -> datetime:
        """When a replica may claim it: at its due time, or when a held lease runs out."""
        if self.lease_expires_at is not None and self.lease_expires_at > self.next_due_at:
            return self.lease_expires_at
        return self.next_due_at


class JobMetrics:
    """Per-application collectors for job runs (registered beside the HTTP metrics)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.runs = Counter(
            "jobs_runs_total",
            "Background job runs by job and outcome (ok, failed, lease_lost)",
            ["job", "outcome"],
            registry=registry,
        )
        self.duration = Histogram(
            "jobs_run_duration_seconds",
            "Background job run time, from claim to commit or rollback",
            ["job"],
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
        )


class _LeaseLost(Exception):
    """The run's lease was taken over: its work must not commit."""


def _released(claim: Claim, next_due: datetime) -> Update:
    """The end of a claimed run, whatever its outcome: next due time set and the lease released,
    on the row only while it still carries this claim's token."""
    t = _jobs
    return (
        update(t)
        .where(t.c.name == claim.name, t.c.lease_token == claim.token)
        .values(
            next_due_at=next_due,
            lease_owner=None,
            lease_token=None,
            lease_expires_at=None,
            last_finished_at=utcnow(),
        )
    )


class JobRunner:
    """Runs a service's jobs in one process, alongside the same runner in every other replica.

    `async with JobRunner(...)` (or start()/stop()) polls in the background; the methods below
    the loop (ensure_rows, claim, run_claimed, run_due) take an explicit `now`, so use cases are
    testable without waiting.
    """

    def __init__(
        self,
        db: Database,
        jobs: Sequence[Job],
        settings: ServiceSettings,
        *,
        metrics: JobMetrics | None = None,
        runtime: Runtime | None = None,
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be distinct: {sorted(names)}")
        self._db = db
        self._jobs = {job.name: job for job in jobs}
        self._settings = settings
        self._metrics = metrics
        self._runtime = runtime
        self._lease = timedelta(seconds=settings.jobs.lease_seconds)
        # Names the holder in the table for an operator (pod name and pid); the random part keeps
        # a restarted process with a recycled pid from passing for its predecessor.
        self.owner = f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ use cases

    async def ensure_rows(self, now: datetime | None = None) -> None:
        """A row for every registered job, first due at `now`; rows that exist are left as they are.

        INSERT ... ON CONFLICT DO NOTHING on both backends: replicas starting together never
        fail on each other's rows, and a restart never moves a schedule.
        """
        if not self._jobs:
            return
        now = now or utcnow()
        rows = [
            {
                "name": name,
                "next_due_at": now,
                "run_count": 0,
                "failure_count": 0,
            }
            for name in self._jobs
        ]
        make = pg_insert if self._db.backend == "postgresql" else sqlite_insert
        statement = make(_jobs).values(rows).on_conflict_do_nothing(index_elements=["name"])
        async with self._db.writer() as session, session.begin():
            await session.execute(statement)

    async def states(self) -> list[JobState]:
        """The rows of this runner's jobs (a plain read: no write lock on SQLite)."""
        t = _jobs
        async with self._db.reader() as session, session.begin():
            rows = (
                await session.execute(select(t).where(t.c.name.in_(list(self._jobs))))
            ).mappings()
            return [
                JobState(**{k: v for k, v in row.items() if k != "lease_token"}) for row in rows
            ]

    async def claim(
        self, now: datetime | None = None, *, among: Sequence[str] | None = None
    ) -> Claim | None:
        """Lease the most overdue job that is due and not held by a live lease, or None."""
        now = now or utcnow()
        names = list(self._jobs) if among is None else list(among)
        if not names:
            return None
        t = _jobs
        pick = (
            select(t.c.name)
            .where(
                t.c.name.in_(names),
                t.c.next_due_at <= now,
                or_(t.c.lease_expires_at.is_(None), t.c.lease_expires_at <= now),
            )
            .order_by(t.c.next_due_at, t.c.name)
            .limit(1)
        )
        if self._db.backend == "postgresql":
            # Replicas claiming at once pass over each other's locked rows instead of queueing
            # behind them; the row lock lasts only this short transaction.
            pick = pick.with_for_update(skip_locked=True)
        # On SQLite the writer session began with BEGIN IMMEDIATE: this statement is the only
        # writer, so the read inside it and its update are one step.
        token = uuid.uuid4()
        expires = now + self._lease
        statement = (
            update(t)
            .where(t.c.name == pick.scalar_subquery())
            .values(
                lease_owner=self.owner,
                lease_token=token,
                lease_expires_at=expires,
                last_started_at=now,
            )
            .returning(t.c.name, t.c.next_due_at)
        )
        async with self._db.writer() as session, session.begin():
            row = (await session.execute(statement)).first()
        if row is None:
            return None
        return Claim(
            name=row.name, token=token, due_at=row.next_due_at, now=now, lease_expires_at=expires
        )

    async def run_claimed(self, claim: Claim) -> str:
        """Run a claimed job in one transaction that also advances its row, if the lease is still
        this claim's; `ok`, `failed` (rolled back, error recorded) or `lease_lost` (rolled back)."""
        job = self._jobs[claim.name]
        started = time.perf_counter()
        outcome = OK
        next_due: datetime | None = None
        with structlog.contextvars.bound_contextvars(job=claim.name):
            try:
                prepared = await self._prepare(job, claim)
                async with self._db.writer() as session, session.begin():
                    wanted = await job.run(
                        JobRun(
                            session=session,
                            now=claim.now,
                            due_at=claim.due_at,
                            settings=self._settings,
                            prepared=prepared,
                            runtime=self._runtime,
                        )
                    )
                    next_due = claim.now + job.every
                    if wanted is not None and wanted < next_due:
                        next_due = wanted
                    if not await self._finish(session, claim, next_due):
                        raise _LeaseLost
            except _LeaseLost:
                outcome = LEASE_LOST
            except Exception as exc:  # the job's own failure, whatever it is, must not stop others
                outcome = FAILED
                next_due = claim.now + job.every
                await self._record_failure(claim, exc, next_due)
            elapsed = time.perf_counter() - started
            self._observe(claim, outcome, elapsed, next_due)
        return outcome

    async def run_due(self, now: datetime | None = None) -> list[tuple[str, str]]:
        """Claim and run, one after the other, every job due by `now` (each at most once);
        [(name, outcome)] in the order they ran."""
        done: list[tuple[str, str]] = []
        while not self._stopping.is_set():
            left = [name for name in self._jobs if name not in {n for n, _ in done}]
            claim = await self.claim(now, among=left)
            if claim is None:
                break
            done.append((claim.name, await self.run_claimed(claim)))
        return done

    async def _prepare(self, job: Job, claim: Claim) -> object:
        """The job's work outside any transaction (no write lock held on SQLite while it waits
        on the network); its failure fails the run like the run's own."""
        if job.prepare is None:
            return None
        context = JobContext(
            now=claim.now, due_at=claim.due_at, settings=self._settings, runtime=self._runtime
        )
        return await job.prepare(context)

    async def _finish(self, session: AsyncSession, claim: Claim, next_due: datetime) -> bool:
        """Compare-and-set inside the run's transaction: advance and release only while the row
        still carries this claim's token. A takeover changed the token, so a holder whose lease
        ran out and was taken over updates nothing and rolls its work back."""
        t = _jobs
        advanced = await session.execute(
            _released(claim, next_due).values(run_count=t.c.run_count + 1).returning(t.c.name)
        )
        return advanced.first() is not None

    async def _record_failure(self, claim: Claim, exc: Exception, next_due: datetime) -> None:
        # Its own transaction: the run's was rolled back with everything the job did.
        t = _jobs
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_TEXT]
        log.warning("job_failed", error=error, exc_info=exc)
        try:
            async with self._db.writer() as session, session.begin():
                await session.execute(
                    _released(claim, next_due).values(
                        last_error=error,
                        last_error_at=utcnow(),
                        failure_count=t.c.failure_count + 1,
                    )
                )
        except Exception as record_exc:  # e.g. the database is down: the lease expires instead
            log.warning("job_failure_not_recorded", error=str(record_exc)[:MAX_ERROR_TEXT])

    def _observe(
        self, claim: Claim, outcome: str, elapsed: float, next_due: datetime | None
    ) -> None:
        if self._metrics is not None:
            self._metrics.runs.labels(claim.name, outcome).inc()
            self._metrics.duration.labels(claim.name).observe(elapsed)
        fields: dict[str, Any] = {
            "outcome": outcome,
            "duration_ms": round(elapsed * 1000, 2),
            "due_at": claim.due_at.isoformat(),
        }
        if next_due is not None and outcome != LEASE_LOST:
            fields["next_due_at"] = next_due.isoformat()
        if outcome == LEASE_LOST:
            # The lease ran out during the run and another replica took the job over.
            log.warning("job_run", lease_seconds=self._lease.total_seconds(), **fields)
        else:
            log.info("job_run", **fields)

    # ------------------------------------------------------------------ the loop

    async def start(self) -> None:
        """Start polling in the background (nothing happens without jobs, or when disabled)."""
        if not self._jobs or not self._settings.jobs.enabled or self._task is not None:
            return
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="chassis-jobs")
        log.info(
            "jobs_started",
            jobs=sorted(self._jobs),
            owner=self.owner,
            poll_seconds=self._settings.jobs.poll_seconds,
            lease_seconds=self._settings.jobs.lease_seconds,
        )

    async def stop(self) -> None:
        """Let a run in progress finish (up to the stop timeout), then end the loop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        done, _ = await asyncio.wait({task}, timeout=self._settings.jobs.stop_timeout_seconds)
        if not done:
            # Cancelling rolls the run back; its lease expires and another replica redoes it.
            log.warning("jobs_stop_cancelled_run")
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        log.info("jobs_stopped", owner=self.owner)

    async def __aenter__(self) -> JobRunner:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _loop(self) -> None:
        poll = self._settings.jobs.poll_seconds
        await self._pause(random.uniform(0, min(poll, _START_SPREAD_SECONDS)))  # noqa: S311
        while not self._stopping.is_set():
            delay = poll * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not secrecy)
            try:
                states = await self.states()
                if len(states) < len(self._jobs):
                    await self.ensure_rows()
                    states = await self.states()
                wake = min((s.available_at() for s in states), default=None)
                if wake is not None and wake <= utcnow():
                    ran = await self.run_due()
                    delay = 0 if ran else _MIN_PAUSE_SECONDS
                elif wake is not None:
                    # Woken at the earliest due time rather than the next poll, with a little
                    # jitter so replicas woken for the same time do not all claim at once.
                    until = (wake - utcnow()).total_seconds()
                    delay = min(delay, until + random.uniform(0, min(poll * 0.1, 0.1)))  # noqa: S311
            except Exception as exc:  # database down or not migrated yet: try again later
                log.warning("jobs_poll_failed", error=f"{type(exc).__name__}: {exc}"[:500])
            await self._pause(max(delay, _MIN_PAUSE_SECONDS) if delay else 0)

    async def _pause(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)


# ---------------------------------------------------------------------- the kit's own jobs

PURGE_IDEMPOTENCY_JOB = "purge_idempotency_records"
# Rows deleted per run: keeps a SQLite write lock short; a full batch makes the job due again.
PURGE_BATCH = 5000


def purge_idempotency_records(
    table: Table, *, every: timedelta = timedelta(hours=1), batch: int = PURGE_BATCH
) -> Job:
    """A job deleting Idempotency-Key records older than `idempotency_retention_hours`.

    A replay within the retention gets the first response; after it the key counts as new.
    Records are kept somewhat longer (up to `every`), never shorter.
    """

    async def purge(run: JobRun) -> datetime | None:
        cutoff = run.now - timedelta(hours=run.settings.idempotency_retention_hours)
        expired = select(table.c.id).where(table.c.created_at < cutoff).limit(batch)
        result = cast(
            CursorResult[Any],
            await run.session.execute(delete(table).where(table.c.id.in_(expired))),
        )
        deleted = result.rowcount
        if deleted:
            log.info("idempotency_records_purged", deleted=deleted, cutoff=cutoff.isoformat())
        # A full batch may have left more behind: due again at once. Otherwise the interval,
        # not the oldest record's expiry, decides: a steady trickle of keys would else wake the
        # job for every record.
        return run.now if deleted >= batch else None

    return Job(name=PURGE_IDEMPOTENCY_JOB, run=purge, every=every)
