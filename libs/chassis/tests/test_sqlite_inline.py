"""The kit's SQLite connection: reads, a lock holder's statements and its COMMIT run on the loop;
every wait (a write lock another process holds, a checkpoint) on the connection's thread, with
the busy timeout; one process's writers queue on the loop."""

import asyncio
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from chassis.db import Database
from chassis.settings import ServiceSettings
from chassis.sqlite_inline import CHECKPOINT_EVERY, InlineConnection, _statement_kind


def _database(tmp_path, name="inline.db", busy_ms=5000):
    return Database(
        ServiceSettings(
            database_url=f"sqlite:///{tmp_path / name}", database_busy_timeout_ms=busy_ms
        )
    )


class _ThreadCalls:
    """Counts the calls that go to a connection's thread (aiosqlite's queue), by name."""

    def __init__(self, monkeypatch):
        self.names: list[str] = []
        original = InlineConnection._on_thread

        async def counted(connection, fn, *args, **kwargs):
            self.names.append(getattr(fn, "__name__", "?"))
            return await original(connection, fn, *args, **kwargs)

        monkeypatch.setattr(InlineConnection, "_on_thread", counted)


async def _table(db):
    async with db.writer() as session, session.begin():
        await session.execute(text("CREATE TABLE IF NOT EXISTS counter (n INTEGER)"))
        await session.execute(text("DELETE FROM counter"))
        await session.execute(text("INSERT INTO counter VALUES (0)"))


def test_statements_are_told_apart_by_what_they_may_wait_for():
    assert _statement_kind("  select 1") == "read"
    assert _statement_kind("BEGIN") == "read"
    assert _statement_kind("BEGIN DEFERRED") == "read"
    assert _statement_kind("BEGIN IMMEDIATE") == "lock"
    assert _statement_kind("begin exclusive") == "lock"
    assert _statement_kind("UPDATE counter SET n = 1") == "write"
    assert _statement_kind("insert into counter values (1)") == "write"
    assert _statement_kind("SAVEPOINT sa_1") == "other"
    assert _statement_kind("PRAGMA journal_mode=WAL") == "other"
    assert _statement_kind(None) == "other"


async def test_a_read_transaction_makes_no_thread_hop(tmp_path, monkeypatch):
    async with _database(tmp_path) as db:
        await _table(db)
        calls = _ThreadCalls(monkeypatch)
        async with db.reader() as session, session.begin():
            assert (await session.execute(text("SELECT n FROM counter"))).scalar() == 0
        assert calls.names == []


async def test_an_uncontended_write_makes_no_thread_hop(tmp_path, monkeypatch):
    async with _database(tmp_path) as db:
        await _table(db)
        calls = _ThreadCalls(monkeypatch)
        async with db.writer() as session, session.begin():
            n = (await session.execute(text("SELECT n FROM counter"))).scalar()
            await session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        assert calls.names == []
        async with db.reader() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar() == 1


async def test_the_wal_is_checkpointed_on_the_thread_every_so_many_commits(tmp_path, monkeypatch):
    async with _database(tmp_path) as db:
        await _table(db)
        async with db.reader() as session:
            # SQLite's own checkpoint, inside whichever COMMIT crosses its threshold, is off.
            assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
        calls = _ThreadCalls(monkeypatch)
        for _ in range(CHECKPOINT_EVERY * 2):
            async with db.writer() as session, session.begin():
                await session.execute(text("UPDATE counter SET n = n + 1"))
        assert calls.names == ["_checkpoint", "_checkpoint"]
        wal = tmp_path / "inline.db-wal"
        async with db.reader() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar() == (
                CHECKPOINT_EVERY * 2
            )
        # Checkpointed, so the WAL is reused from its start instead of growing: at most about
        # one checkpoint interval of frames (one page each), not all the commits'.
        frame = 4096 + 24
        assert wal.stat().st_size <= (CHECKPOINT_EVERY + 10) * frame


async def test_one_process_writers_queue_on_the_loop_not_in_the_busy_handler(tmp_path, monkeypatch):
    async with _database(tmp_path) as db:
        await _table(db)

        async def increment():
            async with db.writer() as session, session.begin():
                n = (await session.execute(text("SELECT n FROM counter"))).scalar()
                await asyncio.sleep(0.001)  # the others try to begin meanwhile
                await session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

        # As many as the pool keeps (10 by default), so none is opened on the thread meanwhile.
        await asyncio.gather(*(increment() for _ in range(8)))  # the pool opens its connections
        calls = _ThreadCalls(monkeypatch)
        await asyncio.gather(*(increment() for _ in range(8)))
        # None waited for the lock on its thread: each passed the gate and found it free.
        assert "execute" not in calls.names
        async with db.reader() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar() == 16


async def test_a_writer_that_cannot_pass_the_gate_in_time_fails_as_locked(tmp_path):
    async with _database(tmp_path, busy_ms=200) as db:
        await _table(db)
        async with db.writer() as session, session.begin():
            await session.execute(text("UPDATE counter SET n = 5"))
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"):
                async with db.writer() as other, other.begin():
                    await other.execute(text("SELECT n FROM counter"))
            assert 0.15 <= time.monotonic() - started < 3
        # The gate was left: the next writer passes.
        async with db.writer() as session, session.begin():
            await session.execute(text("UPDATE counter SET n = 6"))


async def test_a_savepoint_in_a_read_transaction_does_not_pass_for_the_lock(tmp_path, monkeypatch):
    # A SAVEPOINT takes no lock: a write after it in a deferred transaction may still wait for
    # another writer, so it must go to the thread, and so must the COMMIT after it.
    async with _database(tmp_path) as db:
        await _table(db)
        calls = _ThreadCalls(monkeypatch)
        async with db.reader() as session, session.begin(), session.begin_nested():
            await session.execute(text("UPDATE counter SET n = 7"))
        # SAVEPOINT and UPDATE on the thread; the RELEASE and the COMMIT after the UPDATE run
        # inline (the UPDATE took the lock, and a WAL commit syncs nothing).
        assert calls.names == ["execute", "execute"]
        async with db.reader() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar() == 7


async def test_a_writer_waits_for_the_lock_off_the_loop(tmp_path):
    # Two engines on one file, as two processes would be: the second writer waits for the first
    # to commit, and the loop keeps running meanwhile (the wait is on the connection's thread).
    async with _database(tmp_path) as first, _database(tmp_path) as second:
        await _table(first)
        ticks = 0
        holding = asyncio.Event()

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async def hold_the_lock():
            async with first.writer() as session, session.begin():
                await session.execute(text("UPDATE counter SET n = n + 1"))
                holding.set()
                await asyncio.sleep(0.3)

        async def wait_for_it():
            await holding.wait()
            started = time.monotonic()
            async with second.writer() as session, session.begin():
                n = (await session.execute(text("SELECT n FROM counter"))).scalar()
                await session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            return time.monotonic() - started

        tick = asyncio.create_task(ticker())
        _, waited = await asyncio.gather(hold_the_lock(), wait_for_it())
        tick.cancel()
        assert waited >= 0.2
        assert ticks >= 10
        async with first.reader() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar() == 2


async def test_a_writer_gives_up_after_the_busy_timeout(tmp_path):
    async with _database(tmp_path) as first, _database(tmp_path, busy_ms=200) as second:
        await _table(first)
        async with first.writer() as session, session.begin():
            await session.execute(text("UPDATE counter SET n = 5"))
            started = time.monotonic()
            with pytest.raises(OperationalError, match="locked"):
                async with second.writer() as other, other.begin():
                    await other.execute(text("SELECT n FROM counter"))
            assert 0.15 <= time.monotonic() - started < 3
        # The failed attempt left the busy timeout as configured and the connection usable.
        async with second.writer() as session, session.begin():
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() == 200
            await session.execute(text("UPDATE counter SET n = n + 1"))
        async with second.reader() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar() == 6
