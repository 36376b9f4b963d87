"""The embedded SQLite engine is set up for concurrent use: WAL, foreign keys, busy timeout,
writers that take the write lock at BEGIN."""

import asyncio

from sqlalchemy import text

from chassis.db import Database
from chassis.settings import ServiceSettings


async def test_sqlite_connections_have_the_pragmas(tmp_path):
    async with Database(
        ServiceSettings(database_url=f"sqlite:///{tmp_path / 'x' / 'pragmas.db'}")
    ) as db:
        async with db.engine.connect() as conn:
            values = [
                (await conn.execute(text(f"PRAGMA {name}"))).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
        assert values == ["wal", 1, 5000]


async def test_a_second_writer_waits_for_the_first_to_commit(tmp_path):
    async with Database(
        ServiceSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}")
    ) as db:
        async with db.writer() as session, session.begin():
            await session.execute(text("CREATE TABLE counter (n INTEGER)"))
            await session.execute(text("INSERT INTO counter VALUES (0)"))
        order = []

        async def increment(name, hold):
            async with db.writer() as session, session.begin():
                n = (await session.execute(text("SELECT n FROM counter"))).scalar_one()
                order.append(f"{name} read {n}")
                await asyncio.sleep(hold)
                await session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

        await asyncio.gather(increment("a", 0.2), increment("b", 0))
        async with db.reader() as session:
            final = (await session.execute(text("SELECT n FROM counter"))).scalar()
        # Without BEGIN IMMEDIATE both would read 0 and one increment would be lost.
        assert final == 2
        assert sorted(order) == ["a read 0", "b read 1"] or sorted(order) == [
            "a read 1",
            "b read 0",
        ]
