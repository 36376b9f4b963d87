"""Async database access: engines for SQLite (embedded) and PostgreSQL, one transaction per request."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event, make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool
from sqlalchemy.util import await_only

from chassis.database_url import async_database_url
from chassis.settings import ServiceSettings
from chassis.sql import Connections, Transaction, open_transaction
from chassis.sqlite_inline import InlineConnection, WriteGate, connect_inline, register_gate

# Constraint names that are stable across backends, so migrations can drop what they create.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# How long a SQLite writer waits for the write lock before the request fails with 503.
SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option that makes a SQLite transaction start with BEGIN IMMEDIATE (a writer).
WRITE_OPTION = "chassis_write"


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
) -> AsyncEngine:
    """An engine with the pragmas and transaction handling each backend needs."""
    url = async_database_url(url)
    if is_sqlite(url):
        prepare_sqlite_dir(url)
        return _sqlite_engine(url, echo=echo, busy_timeout_ms=busy_timeout_ms, pool_size=pool_size)
    engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)
    _discard_closed_connections(engine)
    return engine


def _discard_closed_connections(engine: AsyncEngine) -> None:
    # SQLAlchemy's pool_pre_ping costs a round trip and, through the adapter, ~200 µs of CPU per
    # checkout (docs/decisions/0018). A restarted or stopped server closes its connections, and
    # the driver sees it without asking: such a connection is discarded at checkout and the pool
    # takes another (SQLAlchemy's "pessimistic disconnect handling" recipe). One that dies
    # silently fails its statement (503), and SQLAlchemy then invalidates the pool.
    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        is_closed = getattr(driver, "is_closed", None)
        if is_closed is not None and is_closed():
            # The others idle in the pool are as old: a restart ended them all.
            raise InvalidatePoolError("the server closed this connection")


def _sqlite_engine(url: str, *, echo: bool, busy_timeout_ms: int, pool_size: int) -> AsyncEngine:
    # The dialect works out the file (or URI) and its options from the URL; the connection
    # itself is the kit's, which runs the calls that cannot wait without a thread hop.
    connect_args: dict[str, Any] = {}
    # One queue of writers for all the engine's connections (sqlite_inline.WriteGate).
    gate = WriteGate(busy_timeout_ms)

    async def connect() -> InlineConnection:
        args, kwargs = connect_args["args"], connect_args["kwargs"]
        options = {"timeout": busy_timeout_ms / 1000, **kwargs}
        return await connect_inline(*args, busy_timeout_ms=busy_timeout_ms, gate=gate, **options)

    # As many kept as PostgreSQL's: beyond the pool's size a connection is closed when it comes
    # back, and opening one (a thread, the PRAGMAs) costs more than the request it serves.
    # (An in-memory database is one connection, SQLAlchemy's StaticPool: no size to give.)
    sizes = {"pool_size": pool_size, "max_overflow": pool_size} if _is_file(url) else {}
    engine = create_async_engine(url, echo=echo, async_creator=connect, **sizes)
    sync = engine.sync_engine
    register_gate(sync, gate)
    args, kwargs = sync.dialect.create_connect_args(sync.url)
    connect_args.update(args=args, kwargs=kwargs)
    _make_sqlite_transactional(engine, busy_timeout_ms)
    return engine


def _make_sqlite_transactional(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; SQLAlchemy's
    # documented recipe takes it over. Writers begin IMMEDIATE so that a read-modify-write
    # holds the write lock from its first read: no lost updates, no upgrade deadlocks.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoints run off the loop, every so many commits (sqlite_inline.CHECKPOINT_EVERY),
        # not inside whichever COMMIT crosses SQLite's threshold.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        driver = conn.connection.driver_connection
        if isinstance(driver, InlineConnection):
            # Straight to the driver: a statement through SQLAlchemy's execution machinery
            # (context, cursor, result) costs as much as a whole small SELECT.
            try:
                await_only(driver.begin(write=write))
            except sqlite3.Error as exc:
                # As SQLAlchemy would have raised it (OperationalError for "database is
                # locked"), so the service's handlers answer 503, not 500.
                statement = "BEGIN IMMEDIATE" if write else "BEGIN"
                raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _is_file(url: str) -> bool:
    """Whether a SQLite URL names a file (not an in-memory database), as SQLAlchemy tells them."""
    parsed = make_url(url)
    return parsed.database not in (None, "", ":memory:") and parsed.query.get("mode") != "memory"


def prepare_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file, so the embedded default works on a fresh clone."""
    if ":///" in url:
        path = url.split(":///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


class Database:
    """The engine and the two session factories of one service, built from its settings.

    The one way a component opens its database, in the service, its CLIs, its demo loaders and
    its tests alike, so every setting (driver, busy timeout, pool size, echo) holds everywhere.
    """

    def __init__(self, settings: ServiceSettings) -> None:
        self.url = settings.resolved_database_url()
        self.engine = create_engine(
            self.url,
            echo=settings.database_echo,
            busy_timeout_ms=settings.database_busy_timeout_ms,
            pool_size=settings.database_pool_size,
        )
        # Up to the pool's size stays with the driver-path transactions between requests
        # (chassis.sql.Connections), as many as PostgreSQL readers have in flight. Kept
        # connections are checked out, so ORM sessions then use the overflow (as large), which
        # the pool's queue keeps open: at most pool size + overflow connections, as before. None
        # for an in-memory SQLite's one shared connection.
        pooled = isinstance(self.engine.sync_engine.pool, QueuePool)
        self.connections = Connections(
            self.engine, keep=settings.database_pool_size if pooled else 0
        )
        self.reader = async_sessionmaker(self.engine, expire_on_commit=False)
        self.writer = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def transaction(self, *, write: bool) -> AbstractAsyncContextManager[Transaction]:
        """`async with db.transaction(write=False) as tx:` one transaction on the driver
        (chassis.sql): BEGIN (IMMEDIATE for a SQLite writer) … COMMIT, or ROLLBACK on an
        exception."""
        return open_transaction(self.connections, write=write)

    async def refresh_statistics(self) -> None:
        """After a bulk load (reference data, demo data): the query planner's statistics of
        every table, on PostgreSQL.

        Its autovacuum analyses a table once 50 rows and a tenth of it have changed, so a small
        table loaded once (15 counties, their 30 populations) would otherwise be planned without
        statistics for good: a hash join and a re-plan per execution where an analysed table gets
        a cached plan, 150 µs of the server's CPU per small page instead of 72
        (docs/decisions/0019). SQLite plans from its indexes without statistics."""
        if self.backend != "postgresql":
            return
        async with self.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()

    async def dispose(self) -> None:
        await self.connections.close()
        await self.engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.dispose()
