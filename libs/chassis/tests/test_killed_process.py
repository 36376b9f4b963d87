"""A service killed (SIGKILL) in the middle of writes: every write it acknowledged is there, and
every note has its event and every event its note."""

import asyncio
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from chassis.db import create_engine
from notes_app.app import SPEC, Note, outbox

TESTS = Path(__file__).resolve().parent
WRITERS = 4


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_ready(base, process):
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline and process.returncode is None:
            try:
                if (await client.get(f"{base}/health/ready")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the notes service did not start")


async def test_acknowledged_writes_survive_a_kill(databases, issuer):
    url = await databases.migrated("notes-killed", SPEC.alembic_ini)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(TESTS),
        "NOTES_DATABASE_URL": url,
        "NOTES_AUTH__JWKS_JSON": json.dumps(issuer.jwks),
        "NOTES_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "notes_app.app:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    acknowledged: list[str] = []
    enough = asyncio.Event()
    try:
        await _wait_ready(base, process)
        headers = issuer.headers("staff")

        async def write(client, n):
            i = 0
            while True:
                i += 1
                try:
                    response = await client.post(
                        f"{base}/v1/notes", json={"title": f"w{n}-{i}"}, headers=headers
                    )
                except httpx.HTTPError:
                    return  # the process is gone: this write was never acknowledged
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
                    if len(acknowledged) >= 40:
                        enough.set()

        async with httpx.AsyncClient(timeout=5) as client:
            writers = [asyncio.create_task(write(client, n)) for n in range(WRITERS)]
            await asyncio.wait_for(enough.wait(), 60)
            # Killed while every writer has a request in flight.
            process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(asyncio.gather(*writers), 15)
    finally:
        if process.returncode is None:
            process.kill()
        await asyncio.wait_for(process.wait(), 10)

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            stored = {str(i) for i in (await conn.execute(select(Note.id))).scalars()}
            events = (
                (
                    await conn.execute(
                        select(outbox.c.subject).where(outbox.c.type == "note.created")
                    )
                )
                .scalars()
                .all()
            )
            count = await conn.scalar(select(func.count()).select_from(Note))
    finally:
        await engine.dispose()
    assert set(acknowledged) <= stored
    assert sorted(events) == sorted(stored)
    assert count == len(stored)
