"""Statements on the driver (chassis.sql): the same types as through SQLAlchemy, one transaction
that commits or rolls back whole, SQLAlchemy's errors, and a pool that survives a lost connection."""

import asyncio
import os
import uuid
from datetime import UTC, datetime
from typing import cast

import pytest
from sqlalchemy import (
    Integer,
    String,
    Table,
    Uuid,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from chassis import sqlite_inline
from chassis.db import Database
from chassis.sql import Prepared, joined
from chassis.types import UTCDateTime
from notes_app.app import SPEC, Note, NotesSettings, outbox

NAME = "notes-sql"
NOTES = cast(Table, Note.__table__)
T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

ADD = Prepared(
    insert(NOTES).values(
        id=bindparam("id", type_=Uuid),
        title=bindparam("title", type_=String),
        body="",
        author=bindparam("author", type_=String),
        version=1,
        created_at=bindparam("at", type_=UTCDateTime),
        updated_at=bindparam("at", type_=UTCDateTime),
    )
)
BY_AUTHOR = Prepared(
    select(NOTES.c.id, NOTES.c.title, NOTES.c.version, NOTES.c.created_at)
    .where(NOTES.c.author == bindparam("author", type_=String))
    .order_by(NOTES.c.title)
    .limit(bindparam("limit", type_=Integer))
)
RENAME = Prepared(
    update(NOTES)
    .where(
        NOTES.c.id == bindparam("note_id", type_=Uuid),
        NOTES.c.version == bindparam("version", type_=Integer),
    )
    .values(title=bindparam("title", type_=String), version=NOTES.c.version + 1)
)
COUNT = Prepared(select(func.count().label("n")).select_from(NOTES))


@pytest.fixture
async def db(databases):
    url = await databases.migrated(NAME, SPEC.alembic_ini)
    database = Database(NotesSettings(database_url=url))
    try:
        yield database
    finally:
        await database.dispose()
        await databases.empty(NAME)


async def _count(db):
    async with db.transaction(write=False) as tx:
        row = await tx.row(COUNT)
    assert row is not None
    return row["n"]


async def test_values_come_back_as_sqlalchemy_would_give_them(db):
    note_id = uuid.uuid4()
    async with db.transaction(write=True) as tx:
        assert await tx.run(ADD, id=note_id, title="a", author="ana", at=T0) == 1
    async with db.transaction(write=False) as tx:
        rows = await tx.rows(BY_AUTHOR, author="ana", limit=10)
    assert rows == [{"id": note_id, "title": "a", "version": 1, "created_at": T0}]
    assert rows[0]["created_at"].tzinfo is not None
    # The same row through the ORM session.
    async with db.reader() as session:
        assert (await session.get(Note, note_id)).created_at == T0


async def test_a_transaction_commits_whole_or_not_at_all(db):
    async def fails_after_its_write():
        async with db.transaction(write=True) as tx:
            await tx.run(ADD, id=uuid.uuid4(), title="a", author="ana", at=T0)
            raise RuntimeError("the route failed after its write")

    with pytest.raises(RuntimeError):
        await fails_after_its_write()
    assert await _count(db) == 0
    async with db.transaction(write=True) as tx:
        for title in ("a", "b"):
            await tx.run(ADD, id=uuid.uuid4(), title=title, author="ana", at=T0)
    assert await _count(db) == 2


async def test_a_stale_version_changes_nothing_and_says_so(db):
    note_id = uuid.uuid4()
    async with db.transaction(write=True) as tx:
        await tx.run(ADD, id=note_id, title="a", author="ana", at=T0)
    async with db.transaction(write=True) as tx:
        await tx.update_versioned(RENAME, note_id=note_id, version=1, title="b")
    with pytest.raises(StaleDataError):
        async with db.transaction(write=True) as tx:
            await tx.update_versioned(RENAME, note_id=note_id, version=1, title="c")
    async with db.transaction(write=False) as tx:
        assert [r["title"] for r in await tx.rows(BY_AUTHOR, author="ana", limit=5)] == ["b"]


async def test_driver_errors_are_sqlalchemys(db):
    note_id = uuid.uuid4()
    async with db.transaction(write=True) as tx:
        await tx.run(ADD, id=note_id, title="a", author="ana", at=T0)
    with pytest.raises(IntegrityError):
        async with db.transaction(write=True) as tx:
            await tx.run(ADD, id=note_id, title="again", author="ana", at=T0)
    # The connection that failed is usable again: the next transaction works.
    assert await _count(db) == 1


async def test_a_statement_joins_a_sessions_transaction_and_rolls_back_with_it(db):
    class Abort(Exception):
        pass

    async def aborted():
        async with db.writer() as session, session.begin():
            tx = await joined(session)
            await tx.run(ADD, id=uuid.uuid4(), title="a", author="ana", at=T0)
            raise Abort

    with pytest.raises(Abort):
        await aborted()
    assert await _count(db) == 0
    async with db.writer() as session, session.begin():
        tx = await joined(session)
        await tx.run(ADD, id=uuid.uuid4(), title="a", author="ana", at=T0)
        # The session sees what the statement wrote: one transaction.
        assert await session.scalar(select(func.count()).select_from(NOTES)) == 1
    assert await _count(db) == 1


async def test_after_commit_runs_only_when_the_transaction_commits(db):
    seen = []

    async def rolled_back():
        async with db.transaction(write=True) as tx:
            tx.after_commit(lambda: seen.append("rolled back"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await rolled_back()
    async with db.transaction(write=True) as tx:
        tx.after_commit(lambda: seen.append("committed"))
    assert seen == ["committed"]


def test_a_statement_that_cannot_be_prepared_once_is_refused():
    expanding = Prepared(
        select(NOTES.c.id).where(NOTES.c.title.in_(bindparam("t", expanding=True)))
    )
    engine = Database(NotesSettings(database_url="sqlite:///:memory:")).engine
    with pytest.raises(TypeError, match="IN lists"):
        expanding.plan(engine.dialect)


async def test_a_missing_parameter_is_named(db):
    async with db.transaction(write=False) as tx:
        with pytest.raises(TypeError, match="limit"):
            await tx.rows(BY_AUTHOR, author="ana")


async def test_a_connection_the_server_dropped_costs_one_failure_then_the_pool_recovers(
    db, backend
):
    if backend != "postgresql":
        pytest.skip("only a server can drop a connection")
    # Three pooled connections at once, and their server processes.
    pid = Prepared(select(func.pg_backend_pid().label("pid")))
    opened = [db.transaction(write=False) for _ in range(3)]
    pids = []
    for context in opened:
        tx = await context.__aenter__()
        pids.append((await tx.rows(pid))[0]["pid"])
    for context in opened:
        await context.__aexit__(None, None, None)
    # The server ends them, as a restart would (asked through another engine, the admin's).
    other = Database(NotesSettings(database_url=db.url))
    async with other, other.engine.connect() as admin:
        for victim in pids:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
    failures = 0
    for _ in range(3):
        try:
            async with db.transaction(write=False) as tx:
                await tx.rows(BY_AUTHOR, author="ana", limit=1)
        except OperationalError:
            failures += 1
    # The pool discards a connection it finds closed at checkout; one whose loss shows only on
    # use fails that request (503) and is invalidated. Either way the pool goes on.
    assert failures <= 1
    async with db.transaction(write=False) as tx:
        assert await tx.rows(BY_AUTHOR, author="ana", limit=1) == []


async def test_events_and_audit_written_on_the_driver_are_counted_and_visible(db):
    from chassis.outbox import EventData, local_event_commits, record_event

    class Happened(EventData):
        event_type = "test.happened"
        n: int

    before = local_event_commits()
    async with db.transaction(write=True) as tx:
        await record_event(tx, outbox, Happened(n=1), subject="s")
        await record_event(tx, outbox, Happened(n=2), subject="s")
    assert local_event_commits() == before + 1
    async with db.reader() as session:
        rows = (await session.execute(select(outbox.c.data).order_by(outbox.c.seq))).all()
    assert [r.data for r in rows] == [{"n": 1}, {"n": 2}]


async def test_connections_are_kept_between_transactions_up_to_a_bound(db):
    pool = db.engine.sync_engine.pool
    keep = db.connections.keep
    assert keep >= 1
    # More transactions at once than are kept: the others' connections go back to the pool.
    opened = [db.transaction(write=False) for _ in range(keep + 2)]
    for context in opened:
        await context.__aenter__()
    assert pool.checkedout() == keep + 2
    for context in opened:
        await context.__aexit__(None, None, None)
    assert (db.connections.kept, pool.checkedout()) == (keep, keep)
    # The next transaction takes a kept one: the pool hands out nothing more.
    async with db.transaction(write=True) as tx:
        await tx.run(ADD, id=uuid.uuid4(), title="kept", author="ana", at=T0)
        assert (db.connections.kept, pool.checkedout()) == (keep - 1, keep)
    assert (db.connections.kept, pool.checkedout()) == (keep, keep)

    # One that fails is rolled back and its connection given back to the pool, not kept.
    async def failing_route() -> None:
        async with db.transaction(write=True) as tx:
            await tx.run(ADD, id=uuid.uuid4(), title="lost", author="ana", at=T0)
            raise RuntimeError("the route failed")

    with pytest.raises(RuntimeError):
        await failing_route()
    assert (db.connections.kept, pool.checkedout()) == (keep - 1, keep - 1)
    assert await _count(db) == 1
    # Closing the database gives the kept ones back before the engine goes.
    await db.connections.close()
    assert (db.connections.kept, pool.checkedout()) == (0, 0)


def test_an_in_memory_sqlite_keeps_no_connection_aside():
    # Its pool is one shared connection: keeping it for the driver path would hand it out twice.
    assert Database(NotesSettings(database_url="sqlite:///:memory:")).connections.keep == 0


async def test_json_comes_back_decoded_once_per_value_down_a_column(db):
    # On PostgreSQL the statement asks for the JSON as text, so that the driver does not decode
    # every row's copy; on both backends a value repeated down the column is decoded once.
    from chassis.outbox import EventData, record_event

    class Counted(EventData):
        event_type = "test.counted"
        n: int
        tags: list[str]

    async with db.transaction(write=True) as tx:
        for n in (1, 1, 2):
            await record_event(tx, outbox, Counted(n=n, tags=["ø", "a"]), subject="s")
    data = Prepared(select(outbox.c.seq, outbox.c.data).order_by(outbox.c.seq))
    async with db.transaction(write=False) as tx:
        rows = await tx.rows(data)
    values = [r["data"] for r in rows]
    assert values == [{"n": 1, "tags": ["ø", "a"]}] * 2 + [{"n": 2, "tags": ["ø", "a"]}]
    assert values[0] is values[1]
    assert all(isinstance(r["seq"], int) for r in rows)


async def test_refreshed_statistics_reach_the_planner(db, backend):
    async with db.transaction(write=True) as tx:
        for n in range(3):
            await tx.run(ADD, id=uuid.uuid4(), title=f"n{n}", author="ana", at=T0)
    await db.refresh_statistics()
    if backend != "postgresql":
        return  # SQLite plans from its indexes: nothing to refresh
    async with db.engine.connect() as connection:
        analysed = await connection.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = 'notes'")
        )
    assert analysed == 3


async def _rename_many(db, note_id, writers: int, each: int) -> set[int]:
    """`writers` concurrent writers, each renaming the note `each` times: the ids of the driver
    connections they wrote on."""
    used: set[int] = set()

    async def writer(n: int) -> None:
        for i in range(each):
            async with db.transaction(write=True) as tx:
                used.add(id(tx._driver.connection))
                await tx.run(RENAME_ANY, note_id=note_id, title=f"w{n}-{i}")
                await asyncio.sleep(0)

    await asyncio.gather(*(writer(n) for n in range(writers)))
    return used


RENAME_ANY = Prepared(
    update(NOTES)
    .where(NOTES.c.id == bindparam("note_id", type_=Uuid))
    .values(title=bindparam("title", type_=String), version=NOTES.c.version + 1)
)


async def test_sqlite_writers_take_turns_on_one_connection_and_the_wal_stays_bounded(
    db, backend, monkeypatch
):
    if backend != "sqlite":
        pytest.skip("SQLite's writers and its write-ahead log")
    monkeypatch.setattr(sqlite_inline, "CHECKPOINT_EVERY", 20)
    note_id = uuid.uuid4()
    async with db.transaction(write=True) as tx:
        await tx.run(ADD, id=note_id, title="t", author="ana", at=T0)
    used = await _rename_many(db, note_id, writers=16, each=25)
    # One after another on the connection the writer before used, its page cache kept.
    assert len(used) == 1
    # Every 20 commits a checkpoint that copies the whole log, so the log starts over: the file
    # holds a few checkpoints' worth of frames, not 400 commits' (decision 0020).
    size = await asyncio.to_thread(os.path.getsize, db.engine.url.database + "-wal")
    page = 4096
    assert size < 40 * 8 * page, size
