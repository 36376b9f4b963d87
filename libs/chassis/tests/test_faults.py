"""The database locked or gone: 503 problem with Retry-After, readiness says so, and the service
recovers by itself when the database is back; nothing is half written."""

import asyncio
import contextlib
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from chassis.runtime import app_runtime
from chassis.testing import postgres_admin_url
from notes_app.app import SPEC, Note, NotesSettings


class Relay:
    """A TCP relay in front of the real PostgreSQL that the test can cut and restore."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.port: int | None = None
        self.pipes: set[asyncio.StreamWriter] = set()

    async def start(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port or 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self):
        assert self.server is not None, "start() first"
        self.server.close()
        await self.server.wait_closed()
        for writer in list(self.pipes):
            writer.close()
        self.pipes.clear()

    async def _serve(self, reader, writer):
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.pipes |= {writer, up_writer}

        async def pipe(src, dst):
            with contextlib.suppress(ConnectionError, OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def _count(app):
    async with app_runtime(app).db.reader() as session:
        return await session.scalar(select(func.count()).select_from(Note))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_sqlite_locked_answers_503_and_recovers(backend, service_client, staff):
    async with service_client(SPEC, NotesSettings, database_busy_timeout_ms=200) as (client, app):
        path = make_url(app_runtime(app).db.url).database
        assert path is not None
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            locked = await client.post("/v1/notes", json={"title": "t"}, headers=staff)
            assert locked.status_code == 503, locked.text
            assert locked.headers["retry-after"]
            assert locked.headers["content-type"] == "application/problem+json"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert (
            await client.post("/v1/notes", json={"title": "t"}, headers=staff)
        ).status_code == 201
        assert await _count(app) == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_postgresql_gone_answers_503_and_recovers_without_restart(
    backend, databases, service_client, staff
):
    url = make_url(await databases.migrated(SPEC.name, SPEC.alembic_ini))
    admin = make_url(postgres_admin_url())
    relay = Relay(admin.host or "127.0.0.1", admin.port or 5432)
    await relay.start()
    through_relay = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    try:
        async with service_client(SPEC, NotesSettings, database_url=through_relay) as (client, _):
            first = await client.get("/health/ready")
            assert first.status_code == 200, first.text
            await relay.cut()
            ready = await client.get("/health/ready")
            assert ready.status_code == 503
            assert ready.headers["retry-after"]
            write = await client.post("/v1/notes", json={"title": "lost?"}, headers=staff)
            assert write.status_code == 503, write.text
            assert write.headers["retry-after"]
            read = await client.get("/v1/notes")
            assert read.status_code == 503
            await relay.start()
            recovered = await client.get("/health/ready")
            assert recovered.status_code == 200, recovered.text
            created = await client.post("/v1/notes", json={"title": "kept"}, headers=staff)
            assert created.status_code == 201
            titles = [n["title"] for n in (await client.get("/v1/notes")).json()["items"]]
            assert titles == ["kept"]
    finally:
        # Also when an assertion failed: no listener or pipe outlives the test.
        await relay.cut()
