"""Capacity is never exceeded: 100 simultaneous registrations for 10 seats leave exactly 10
confirmed and 90 waiting in arrival order, on SQLite, on PostgreSQL, and on PostgreSQL with two
service processes answering at once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from chassis.db import create_engine
from training.app import SPEC
from training.registrations.models import Registration
from training.sessions.models import SessionSeats
from training_factories import make_session

SEATS = 10
PEOPLE = 100


async def _fire(clients: list[httpx.AsyncClient], session_id: str, issuer: Any) -> list[int]:
    async def one(n: int) -> int:
        client = clients[n % len(clients)]
        answer = await client.post(
            f"/v1/sessions/{session_id}/registrations",
            json={},
            headers=issuer.headers("staff", sub=f"racer-{n:03d}"),
        )
        assert answer.status_code == 201, answer.text
        return n

    return list(await asyncio.gather(*(one(n) for n in range(PEOPLE))))


async def _outcome(url: str, session: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    session_id = uuid.UUID(session)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (
                (
                    await conn.execute(
                        select(Registration.__table__)
                        .where(Registration.session_id == session_id)
                        .order_by(Registration.arrival)
                    )
                )
                .mappings()
                .all()
            )
            seats = (
                (
                    await conn.execute(
                        select(SessionSeats.__table__).where(SessionSeats.session_id == session_id)
                    )
                )
                .mappings()
                .one()
            )
    finally:
        await engine.dispose()
    return [dict(r) for r in rows], dict(seats)


def _check(rows: list[dict[str, Any]], seats: dict[str, Any]) -> None:
    assert len(rows) == PEOPLE
    # Every registration was counted once, in one order with no gap.
    assert [r["arrival"] for r in rows] == list(range(1, PEOPLE + 1))
    statuses = [r["status"] for r in rows]
    assert statuses == ["confirmed"] * SEATS + ["waiting"] * (PEOPLE - SEATS)
    assert (seats["confirmed"], seats["capacity"], seats["arrivals"]) == (SEATS, SEATS, PEOPLE)
    # Arrival order is the order the database stamped them in, across processes too.
    stamps = [r["registered_at"] for r in rows]
    assert stamps == sorted(stamps)


async def test_a_hundred_at_ten_seats_in_one_process(training, issuer, databases):
    client, _ = training
    trainer = issuer.headers("trainer")
    session = await make_session(client, trainer, capacity={"online": SEATS})
    await _fire([client], session["id"], issuer)
    url = await databases.migrated(SPEC.name, SPEC.alembic_ini)
    rows, seats = await _outcome(url, session["id"])
    _check(rows, seats)
    waiting = await client.get(
        f"/v1/sessions/{session['id']}/registrations",
        params={"status": "waiting", "limit": 100},
        headers=trainer,
    )
    positions = {r["arrival"]: r["waiting_position"] for r in waiting.json()["items"]}
    assert positions == {a: a - SEATS for a in range(SEATS + 1, PEOPLE + 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Replica:
    """One training service process on the shared database."""

    def __init__(self, url: str, issuer: Any, log_dir: Path) -> None:
        self.url, self.issuer = url, issuer
        self.port = _free_port()
        self.log = log_dir / f"training-{self.port}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Replica:
        env = {
            **os.environ,
            "TRAINING_DATABASE_URL": self.url,
            "TRAINING_AUTH__JWKS_JSON": json.dumps(self.issuer.jwks),
            "TRAINING_LOG_LEVEL": "WARNING",
        }
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "training.app:create_app",
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
        log_text = await asyncio.to_thread(self.log.read_text)
        raise AssertionError(f"the training service did not start: {log_text[-2000:]}")

    async def close(self) -> int | None:
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise


async def test_a_hundred_at_ten_seats_across_two_processes(backend, databases, issuer, tmp_path):
    if backend != "postgresql":
        pytest.skip("replicas share PostgreSQL; the embedded SQLite run is one process (above)")
    url = await databases.migrated(f"training-race-{os.urandom(3).hex()}", SPEC.alembic_ini)
    replicas = [Replica(url, issuer, tmp_path) for _ in range(2)]
    try:
        await asyncio.gather(*(r.start() for r in replicas))
        clients = [
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{r.port}", timeout=60) for r in replicas
        ]
        try:
            session = await make_session(
                clients[0], issuer.headers("trainer"), capacity={"online": SEATS}
            )
            await _fire(clients, session["id"], issuer)
        finally:
            for client in clients:
                await client.aclose()
    finally:
        codes = [await r.close() for r in replicas]
    assert set(codes) <= {0, -signal.SIGTERM}
    rows, seats = await _outcome(url, session["id"])
    _check(rows, seats)
