"""The drivers under `chassis.sql`'s statements: the kit's inline sqlite3 connection and
asyncpg's, behind one small protocol, and their errors raised as SQLAlchemy's, so the service's
handlers (409, 503) apply to both ways to the database alike."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from chassis.sqlite_inline import InlineConnection


class Driver(Protocol):
    async def begin(self, *, write: bool) -> None: ...
    async def fetch(self, sql: str, args: tuple[Any, ...]) -> Sequence[Sequence[Any]]: ...
    async def execute(self, sql: str, args: tuple[Any, ...]) -> int: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


class SqliteDriver:
    def __init__(self, connection: InlineConnection) -> None:
        self.connection = connection

    async def begin(self, *, write: bool) -> None:
        await self.connection.begin(write=write)

    async def fetch(self, sql: str, args: tuple[Any, ...]) -> Sequence[Sequence[Any]]:
        cursor = await self.connection.run_statement(sql, args)
        try:
            rows: list[Sequence[Any]] = cursor.fetchall()
        finally:
            cursor.close()
        return rows

    async def execute(self, sql: str, args: tuple[Any, ...]) -> int:
        cursor = await self.connection.run_statement(sql, args)
        count: int = cursor.rowcount
        cursor.close()
        return count

    async def commit(self) -> None:
        await self.connection.commit()

    async def rollback(self) -> None:
        await self.connection.rollback()


class AsyncpgDriver:
    """PostgreSQL through asyncpg. A reader runs its statements without BEGIN and COMMIT: at
    READ COMMITTED, PostgreSQL's level, each statement of a transaction takes its own snapshot
    and a SELECT holds no lock until COMMIT, so a read-only block sees and guarantees exactly
    what its statements do alone, for two round trips fewer (docs/decisions/0018)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.open = False

    async def begin(self, *, write: bool) -> None:
        if write:
            await self.connection.execute("BEGIN")
            self.open = True

    async def fetch(self, sql: str, args: tuple[Any, ...]) -> Sequence[Sequence[Any]]:
        rows: Sequence[Sequence[Any]] = await self.connection.fetch(sql, *args)
        return rows

    async def execute(self, sql: str, args: tuple[Any, ...]) -> int:
        status: str = await self.connection.execute(sql, *args)
        # "UPDATE 3", "DELETE 0", "INSERT 0 1": the count is the last word.
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else -1

    async def commit(self) -> None:
        if self.open:
            self.open = False
            await self.connection.execute("COMMIT")

    async def rollback(self) -> None:
        if self.open:
            self.open = False
            await self.connection.execute("ROLLBACK")


def as_sqlalchemy_error(exc: BaseException, sql: str, args: Any) -> DBAPIError:
    """The driver's error as SQLAlchemy would have raised it, so the kit's handlers apply; a lost
    connection is marked `connection_invalidated`, and the pool discards it."""
    if isinstance(exc, sqlite3.Error):
        return cast(DBAPIError, DBAPIError.instance(sql, args, exc, sqlite3.Error))
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

    dbapi = AsyncAdapt_asyncpg_dbapi(asyncpg)  # type: ignore[no-untyped-call]
    kind: type[Exception] = dbapi.DatabaseError
    # Lost: the driver's connection is gone, or the server says it is ending the session
    # (SQLSTATE class 08, connection exception; 57P01-03, shutdown or restart).
    sqlstate = str(getattr(exc, "sqlstate", "") or "")
    # InternalClientError: asyncpg's protocol found itself in a state it cannot go on from
    # (seen when the server ends a session while a statement is being sent).
    lost = isinstance(
        exc,
        asyncpg.InterfaceError
        | asyncpg.PostgresConnectionError
        | asyncpg.InternalClientError
        | OSError,
    ) or sqlstate.startswith(("08", "57P01", "57P02", "57P03"))
    if lost:
        kind = dbapi.OperationalError
    elif isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        kind = dbapi.IntegrityError
    wrapped = kind(f"{type(exc).__name__}: {exc}")
    error = DBAPIError.instance(sql, args, wrapped, dbapi.Error, connection_invalidated=lost)
    return cast(DBAPIError, error)


def _driver_errors() -> tuple[type[BaseException], ...]:
    kinds: list[type[BaseException]] = [sqlite3.Error]
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - a SQLite-only install
        return tuple(kinds)
    return (
        *kinds,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        asyncpg.InternalClientError,
        OSError,
    )


DRIVER_ERRORS = _driver_errors()


def driver_of(raw: PoolProxiedConnection, dialect: Dialect) -> Driver:
    connection = raw.driver_connection
    if isinstance(connection, InlineConnection):
        return SqliteDriver(connection)
    if dialect.name == "postgresql" and dialect.driver == "asyncpg":
        return AsyncpgDriver(connection)
    raise TypeError(f"no driver path for {dialect.name}+{dialect.driver}")
