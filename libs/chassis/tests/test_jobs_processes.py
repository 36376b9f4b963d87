"""Background jobs in two service processes on one PostgreSQL database: each due time runs
once, never twice, and a holder killed with SIGKILL has its work taken over once its lease ends."""

import asyncio
import itertools
import json
import os
import signal
import socket
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert, select, update

from chassis.db import create_engine
from chassis.types import utcnow
from notes_app.app import SPEC, job_ticks, jobs
from notes_app.ticks import TICK

TESTS = Path(__file__).resolve().parent
POLL = 0.1


@pytest.fixture
async def pg_url(backend, databases):
    if backend != "postgresql":
        pytest.skip(
            "replicas share PostgreSQL; the embedded SQLite run is one process "
            "(its claim is covered in test_jobs)"
        )
    name = f"notes-ticks-{os.urandom(3).hex()}"
    return await databases.migrated(name, SPEC.alembic_ini)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Replica:
    """One notes service process running the tick job."""

    def __init__(self, url, issuer, log_dir, *, every, hold, lease, hold_marker=None):
        self.url, self.issuer = url, issuer
        self.every, self.hold, self.lease = every, hold, lease
        self.hold_marker = hold_marker
        self.port = _free_port()
        self.log = log_dir / f"notes-{self.port}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self):
        env = {
            **os.environ,
            "PYTHONPATH": str(TESTS),
            "NOTES_DATABASE_URL": self.url,
            "NOTES_AUTH__JWKS_JSON": json.dumps(self.issuer.jwks),
            "NOTES_LOG_LEVEL": "WARNING",
            "NOTES_JOBS__POLL_SECONDS": str(POLL),
            "NOTES_JOBS__LEASE_SECONDS": str(self.lease),
            "NOTES_TEST_TICK_EVERY": str(self.every),
            "NOTES_TEST_TICK_HOLD": str(self.hold),
        }
        if self.hold_marker is not None:
            env["NOTES_TEST_TICK_HOLD_MARKER"] = str(self.hold_marker)
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "notes_app.ticks:app_from_env",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=log,
            )
        # Generous: a process imports for seconds of CPU, and the machine is shared.
        deadline = time.monotonic() + 120
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline and self.process.returncode is None:
                try:
                    ready = await client.get(f"http://127.0.0.1:{self.port}/health/ready")
                    if ready.status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"the notes service did not start: {self.log.read_text()[-2000:]}")

    @property
    def pid(self):
        assert self.process is not None, "start() first"
        return self.process.pid

    async def close(self, sig=signal.SIGTERM):
        """Stop it (SIGTERM: a graceful stop) and return its exit code."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        try:
            return await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise


async def _read(url, statement):
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(statement)).mappings().all()
    finally:
        await engine.dispose()


async def _write(url, statement):
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(statement)
    finally:
        await engine.dispose()


async def _tick_row(url):
    rows = await _read(url, select(jobs).where(jobs.c.name == TICK))
    return rows[0] if rows else None


async def _ticks(url):
    return await _read(url, select(job_ticks).order_by(job_ticks.c.due_at))


async def test_two_processes_run_each_due_time_once(pg_url, issuer, tmp_path):
    every = 0.25
    replicas = [Replica(pg_url, issuer, tmp_path, every=every, hold=0, lease=5) for _ in range(2)]
    try:
        await asyncio.gather(*(r.start() for r in replicas))
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            ticks = await _ticks(pg_url)
            if len(ticks) >= 30 and len({t["pid"] for t in ticks}) == 2:
                break
            await asyncio.sleep(0.25)
    finally:
        codes = [await r.close() for r in replicas]
    # uvicorn re-raises the SIGTERM it handled once it has shut down.
    assert set(codes) <= {0, -signal.SIGTERM}
    ticks = await _ticks(pg_url)
    row = await _tick_row(pg_url)
    assert len(ticks) >= 30
    # A second run for a due time would have failed on the unique key and been counted.
    assert row["failure_count"] == 0, row["last_error"]
    assert row["run_count"] == len(ticks)
    assert {t["pid"] for t in ticks} == {r.pid for r in replicas}
    # Each run moved the schedule on by at least the interval from the due time it ran for.
    gaps = [(b["due_at"] - a["due_at"]).total_seconds() for a, b in itertools.pairwise(ticks)]
    assert min(gaps) >= every, gaps


async def test_a_killed_holders_run_is_taken_over_when_its_lease_ends(pg_url, issuer, tmp_path):
    lease = 3.0
    # Not due while the processes start (their start-up takes seconds on a busy machine).
    await _write(
        pg_url,
        insert(jobs).values(
            name=TICK, next_due_at=utcnow() + timedelta(hours=1), run_count=0, failure_count=0
        ),
    )
    # Whichever replica runs first keeps its run open for a minute and is killed holding the
    # lease; the run that takes over does not hold.
    replicas = [
        Replica(
            pg_url, issuer, tmp_path, every=30, hold=60, lease=lease, hold_marker=tmp_path / "held"
        )
        for _ in range(2)
    ]
    try:
        await asyncio.gather(*(r.start() for r in replicas))
        await _write(pg_url, update(jobs).where(jobs.c.name == TICK).values(next_due_at=utcnow()))
        deadline = time.monotonic() + 30
        row = await _tick_row(pg_url)
        while row["lease_owner"] is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            row = await _tick_row(pg_url)
        assert row["lease_owner"] is not None
        holder_pid = int(row["lease_owner"].split("/")[1])
        holder = next(r for r in replicas if r.pid == holder_pid)
        survivor = next(r for r in replicas if r is not holder)
        due, expires = row["next_due_at"], row["lease_expires_at"]
        assert await holder.close(signal.SIGKILL) == -signal.SIGKILL
        killed_at = utcnow()
        deadline = time.monotonic() + lease + 20
        ticks = await _ticks(pg_url)
        while not ticks and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            ticks = await _ticks(pg_url)
    finally:
        codes = [await r.close() for r in replicas]
    assert killed_at < expires
    assert len(ticks) == 1, (
        f"no takeover; job row {dict(await _tick_row(pg_url))}; "
        f"survivor's log: {survivor.log.read_text()[-3000:]}"
    )
    tick = ticks[0]
    # The killed run's due time, run by the survivor, not before the lease ended.
    assert (tick["due_at"], tick["pid"]) == (due, survivor.pid)
    assert tick["recorded_at"] >= expires
    # Picked up within a few polls of the lease's end (the machine is shared and slow at times).
    assert tick["recorded_at"] - expires < timedelta(seconds=POLL * 1.2 + 3)
    row = await _tick_row(pg_url)
    assert (row["run_count"], row["failure_count"]) == (1, 0)
    assert row["next_due_at"] > due
    assert -signal.SIGKILL in codes
    print(
        f"takeover: killed {(expires - killed_at).total_seconds():.2f}s before the lease ended, "
        f"run {(tick['recorded_at'] - expires).total_seconds():.3f}s after it ended"
    )
