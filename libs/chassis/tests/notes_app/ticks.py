"""The notes application with a `tick` job that records each due time it ran for: the
multi-process job tests start it and count the records."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import insert

from chassis.jobs import Job, JobRun
from chassis.service import build_app
from chassis.types import utcnow
from notes_app.app import SPEC, NotesSettings, job_ticks

TICK = "tick"


def tick_job(every: float, hold: float, hold_marker: Path | None = None) -> Job:
    """Records (tick, due time, pid), then keeps its transaction open for `hold` seconds: a
    second run for one due time fails on the unique key instead of passing unnoticed.

    With `hold_marker`, only the run that creates that file holds, in whichever process: the
    first run is held (and its process killed by the test), the one that takes it over is not.
    """

    def holds() -> bool:
        if hold_marker is None:
            return bool(hold)
        try:
            os.close(os.open(hold_marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    async def tick(run: JobRun) -> datetime | None:
        await run.session.execute(
            insert(job_ticks).values(
                job=TICK, due_at=run.due_at, pid=os.getpid(), recorded_at=utcnow()
            )
        )
        if holds():
            await asyncio.sleep(hold)
        return None

    return Job(name=TICK, run=tick, every=timedelta(seconds=every))


def app_from_env() -> FastAPI:
    """`uvicorn --factory notes_app.ticks:app_from_env`; NOTES_TEST_TICK_EVERY and
    NOTES_TEST_TICK_HOLD (seconds) and NOTES_TEST_TICK_HOLD_MARKER (a path) shape the job."""
    marker = os.environ.get("NOTES_TEST_TICK_HOLD_MARKER")
    job = tick_job(
        float(os.environ["NOTES_TEST_TICK_EVERY"]),
        float(os.environ.get("NOTES_TEST_TICK_HOLD", "0")),
        Path(marker) if marker else None,
    )
    return build_app(NotesSettings(), dataclasses.replace(SPEC, jobs=[*SPEC.jobs, job]))
