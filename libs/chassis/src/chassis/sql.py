"""Statements on the driver: a request's hot queries without SQLAlchemy's per-execution machinery.

Through an `AsyncSession` every statement builds a cache key, an execution context, a cursor
wrapper and a result, and every ORM row an instance with its state: for a small page that is
most of the request (docs/decisions/0018). A `Prepared` is a Core statement written once, at import,
with named `bindparam`s; it is compiled once per dialect (SQLAlchemy writes the SQL, the
parameter order and the type conversions) and from then on run straight on the pooled driver
connection: aiosqlite's sqlite3 connection (inline, see `sqlite_inline`) or asyncpg's
(`sql_drivers`).

A `Transaction` is one transaction on one pooled connection: `BEGIN` (BEGIN IMMEDIATE for a
SQLite writer), the queries, `COMMIT` or `ROLLBACK`, the connection back (`Connections` keeps a
few between transactions, docs/decisions/0019). A route opens one with
`chassis.sessions.transaction(request)` (or takes `TransactionDep`): one transaction per
request, committed before the response, as with `SessionDep`. Driver errors surface as
SQLAlchemy's (`OperationalError`, `IntegrityError` …), so the kit's handlers answer 503 and 409
as before.

What a `Prepared` does not do, and refuses at compile time: expanding `IN` lists (their SQL depends
on the list's length: use a join or a sub-select), and Python-side column defaults on INSERT
(pass every value; the statement says what it writes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json
from sqlalchemy import JSON, Select, Table, Text, bindparam, insert
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.base import Executable
from sqlalchemy.util import greenlet_spawn

from chassis.sql_drivers import (
    DRIVER_ERRORS,
    Driver,
    as_sqlalchemy_error,
    driver_of,
)
from chassis.sqlite_inline import InlineConnection, WriteGate, gate_of

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Plan:
    """A statement as one dialect runs it: its SQL, its parameters in order, the conversions."""

    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]
    # (position, conversion) of each parameter whose value needs one.
    binds: tuple[tuple[int, Callable[[Any], Any]], ...]
    columns: tuple[str, ...]
    # (position, column name, conversion) of each column whose value needs one.
    converted: tuple[tuple[int, str, Callable[[Any], Any]], ...]

    def arguments(self, params: dict[str, Any]) -> tuple[Any, ...]:
        values = {**self.defaults, **params} if self.defaults else params
        try:
            args = [values[name] for name in self.names]
        except KeyError as exc:
            raise TypeError(f"missing parameter {exc} for: {self.sql}") from None
        for i, convert in self.binds:
            value = args[i]
            if value is not None:
                args[i] = convert(value)
        return tuple(args)

    def rows(self, fetched: Sequence[Sequence[Any]]) -> list[Row]:
        """The fetched rows as dicts, each value converted to its Python type. A value equal to
        the one above it in the same column is converted once and shared (a join repeats its
        parent's columns on every child row): treat rows as read-only."""
        columns = self.columns
        # Not strict: the columns are the statement's own (1.6 µs of 6.5 for 12 rows).
        out = [dict(zip(columns, raw, strict=False)) for raw in fetched]
        # Column by column: a join's repeated values are next to each other down a column.
        for _, name, convert in self.converted:
            before: Any = None
            done: Any = None
            for row in out:
                value = row[name]
                if value is None:
                    continue
                if value != before:
                    before, done = value, convert(value)
                row[name] = done
        return out


class Prepared:
    """A Core statement with named bind parameters, compiled once per dialect."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[str, Plan] = {}

    def plan(self, dialect: Dialect) -> Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = _compile(self.statement, dialect)
        return plan

    def __repr__(self) -> str:
        return f"Prepared({self.statement})"


def inserting(table: Table, columns: Iterable[str]) -> Prepared:
    """INSERT of one row into `table`, each of `columns` a parameter of its own name and type."""
    values = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    return Prepared(insert(table).values(values))


def _json_as_text(statement: Executable, dialect: Dialect) -> tuple[Executable, set[str]]:
    """On PostgreSQL, a SELECT's JSON columns as their text: asyncpg would decode each value
    of each row (the codec SQLAlchemy installs), where the Plan decodes a value repeated down a
    column once (docs/decisions/0019). The names of the columns so changed."""
    if dialect.name != "postgresql" or not isinstance(statement, Select):
        return statement, set()
    columns = list(statement.selected_columns)
    as_text = {c.key for c in columns if isinstance(c.type, JSON) and c.key is not None}
    if not as_text:
        return statement, set()
    rewritten = [sql_cast(c, Text).label(c.key) if c.key in as_text else c for c in columns]
    return statement.with_only_columns(*rewritten, maintain_column_froms=True), as_text


def _compile(statement: Executable, dialect: Dialect) -> Plan:
    original = statement
    statement, as_text = _json_as_text(statement, dialect)
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if not compiled.positional or compiled.positiontup is None:
        raise TypeError(f"{dialect.name}: a Prepared needs a positional parameter style")
    binds = compiled.binds
    if any(b.expanding for b in binds.values()) or compiled.literal_execute_params:
        raise TypeError(f"a Prepared cannot expand IN lists or render literals: {compiled}")
    names = tuple(compiled.positiontup)
    defaults = {n: b.effective_value for n, b in binds.items() if not b.required}
    processors = (binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names)
    converts = tuple((i, c) for i, c in enumerate(processors) if c is not None)
    # The statement as written names the columns and their types (a JSON column read as text
    # keeps its name).
    exported = getattr(original, "exported_columns", None)
    columns: tuple[str, ...] = tuple(exported.keys()) if exported is not None else ()
    # JSON arriving as text (SQLite's, PostgreSQL's read as text) is decoded by pydantic-core's
    # parser, a quarter of the standard library's time for a small document, unless the engine
    # was given a decoder of its own.
    custom = getattr(dialect, "_json_deserializer", None)
    results = [
        custom or from_json
        if c.key in as_text or (dialect.name == "sqlite" and type(c.type) is JSON and not custom)
        else c.type.dialect_impl(dialect).result_processor(dialect, None)
        for c in (exported or ())
    ]
    converted = tuple(
        (i, name, convert)
        for i, (name, convert) in enumerate(zip(columns, results, strict=True))
        if convert is not None
    )
    return Plan(compiled.string, names, defaults, converts, columns, converted)


class Transaction:
    """One transaction on one pooled driver connection: `open_transaction` begins and ends it,
    or `joined(session)` runs Prepared statements in a session's own."""

    def __init__(self, raw: PoolProxiedConnection, dialect: Dialect, driver: Driver) -> None:
        self._raw = raw
        self.dialect = dialect
        self._driver = driver
        # What a mechanism keeps for the rest of the transaction (the outbox's lock taken).
        self.info: dict[str, Any] = {}
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` once this transaction has committed (not when it rolls back). Only
        for a transaction `open_transaction` ends; a joined one's session commits it."""
        self._after_commit.append(callback)

    @property
    def backend(self) -> str:
        return self.dialect.name

    async def rows(self, query: Prepared, **params: Any) -> list[Row]:
        """Every row the query answers, as dicts keyed by the statement's column names."""
        plan = query.plan(self.dialect)
        args = plan.arguments(params)
        try:
            fetched = await self._driver.fetch(plan.sql, args)
        except DRIVER_ERRORS as exc:
            raise as_sqlalchemy_error(exc, plan.sql, args) from exc
        return plan.rows(fetched)

    async def row(self, query: Prepared, **params: Any) -> Row | None:
        """The query's first row, or None."""
        rows = await self.rows(query, **params)
        return rows[0] if rows else None

    async def run(self, query: Prepared, **params: Any) -> int:
        """Run a statement without RETURNING: the number of rows it changed."""
        plan = query.plan(self.dialect)
        args = plan.arguments(params)
        try:
            return await self._driver.execute(plan.sql, args)
        except DRIVER_ERRORS as exc:
            raise as_sqlalchemy_error(exc, plan.sql, args) from exc

    async def update_versioned(self, query: Prepared, **params: Any) -> None:
        """Run an UPDATE of one versioned row, conditioned on the version read (`WHERE id = …
        AND version = …`, setting `version = version + 1`): no row changed means another request
        changed it first, and the write fails as SQLAlchemy's own version check would (412)."""
        if await self.run(query, **params) != 1:
            raise StaleDataError(f"the row was changed by another transaction: {query}")

    async def _begin(self, *, write: bool) -> None:
        try:
            await self._driver.begin(write=write)
        except DRIVER_ERRORS as exc:
            raise as_sqlalchemy_error(exc, "BEGIN", ()) from exc

    async def _end(self, *, commit: bool) -> None:
        try:
            if commit:
                await self._driver.commit()
            else:
                await self._driver.rollback()
        except DRIVER_ERRORS as exc:
            raise as_sqlalchemy_error(exc, "COMMIT" if commit else "ROLLBACK", ()) from exc


async def joined(session: AsyncSession) -> Transaction:
    """A `Transaction` in `session`'s own transaction (the session begins and ends it), so that
    ORM code and Prepared statements share one. The ORM's pending changes are not flushed
    first: flush before a statement that must see them."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    in_transaction = getattr(raw.driver_connection, "is_in_transaction", None)
    if in_transaction is not None and not in_transaction():
        # SQLAlchemy's asyncpg adapter sends its BEGIN with the session's first statement; a
        # statement straight to the driver before that would run outside the transaction.
        await connection.exec_driver_sql("SELECT 1")
    return Transaction(raw, connection.dialect, driver_of(raw, connection.dialect))


class Connections:
    """The engine's pooled connections as `Transaction`s take them, a few kept between
    transactions.

    Checking a connection out of SQLAlchemy's async pool and back in runs each way in a greenlet
    (the pool's code may await the driver: to connect, to reset); at 16 requests in flight the
    pair cost a small page a fifth of its time (docs/decisions/0019). A transaction that ended
    cleanly (its COMMIT or ROLLBACK answered) leaves its connection here, still checked out of
    the pool, for the next one to take without either hop; up to `keep` of them, the newest
    first.
    """

    def __init__(self, engine: AsyncEngine, *, keep: int) -> None:
        self.engine = engine
        self.keep = keep
        self._kept: list[PoolProxiedConnection] = []
        # SQLite: the connection the last writer used, for the next (see `take`).
        self._writer: PoolProxiedConnection | None = None
        # (None for an in-memory SQLite, which keeps nothing aside: its one shared connection.)
        self._gate = gate_of(engine.sync_engine) if keep else None

    @property
    def kept(self) -> int:
        return len(self._kept) + (self._writer is not None)

    async def take(self, *, write: bool = False) -> PoolProxiedConnection:
        """A connection for one transaction. A SQLite writer first queues behind this process's
        other writers (sqlite_inline.WriteGate), then takes the connection the writer before it
        used: SQLite empties a connection's page cache whenever another connection has written,
        so sixteen writers on sixteen connections each read their pages again, ~100 µs a write
        (docs/decisions/0020); one writer connection after another keeps its cache."""
        if write and self._gate is not None:
            return await self._take_writer(self._gate)
        while self._kept:
            raw = self._kept.pop()
            is_closed = getattr(raw.driver_connection, "is_closed", None)
            if is_closed is None or not is_closed():
                return raw
            # The server closed it while it waited here (a restart): the others are as old.
            await self._discard(raw)
        return await self.engine.raw_connection()

    async def _take_writer(self, gate: WriteGate) -> PoolProxiedConnection:
        await gate.enter()
        try:
            raw, self._writer = self._writer, None
            if raw is None:
                raw = self._kept.pop() if self._kept else await self.engine.raw_connection()
        except BaseException:
            gate.leave()
            raise
        driver = raw.driver_connection
        assert isinstance(driver, InlineConnection)
        driver.holds_gate()
        return raw

    async def give_back(
        self, raw: PoolProxiedConnection, *, clean: bool, lost: bool, write: bool = False
    ) -> None:
        """`clean`: the transaction ended and the connection is as the pool hands it out."""
        if lost:
            await self._discard(raw)
        elif clean and write and self._gate is not None and self._writer is None:
            # Kept apart for the next writer.
            self._writer = raw
        elif clean and len(self._kept) < self.keep:
            self._kept.append(raw)
        else:
            # The pool's return resets the connection (a ROLLBACK) through SQLAlchemy's adapter.
            await greenlet_spawn(raw.close)

    async def _discard(self, raw: PoolProxiedConnection) -> None:
        # A lost connection says the server went away: the pool's other idle connections are as
        # dead, so they go too (as SQLAlchemy's own disconnect handling does), and one request,
        # not one per pooled connection, pays for it.
        dead, self._kept = [raw, *self._kept], []
        if self._writer is not None:
            dead.append(self._writer)
            self._writer = None
        for connection in dead:
            await greenlet_spawn(connection.invalidate)
            await greenlet_spawn(connection.close)
        await self.engine.dispose()

    async def close(self) -> None:
        """Back to the pool, before the engine is disposed of."""
        kept, self._kept = self._kept, []
        if self._writer is not None:
            kept.append(self._writer)
            self._writer = None
        for raw in kept:
            await greenlet_spawn(raw.close)


@asynccontextmanager
async def open_transaction(connections: Connections, *, write: bool) -> AsyncIterator[Transaction]:
    """`async with open_transaction(db.connections, write=False) as tx:` BEGIN … COMMIT, or
    ROLLBACK on an exception; the connection goes back (and when it was lost, the pool's idle
    connections are discarded with it). `Database.transaction` is the usual way in."""
    raw = await connections.take(write=write)
    engine = connections.engine
    tx = Transaction(raw, engine.dialect, driver_of(raw, engine.dialect))
    lost = False
    clean = False
    try:
        await tx._begin(write=write)
        try:
            yield tx
        except BaseException:
            try:
                await tx._end(commit=False)
            except BaseException as failure:  # the route's own exception is the one to raise
                lost = _broken(failure)
            raise
        await tx._end(commit=True)
        clean = True
    except BaseException as exc:
        lost = lost or _broken(exc)
        raise
    finally:
        await connections.give_back(raw, clean=clean, lost=lost, write=write)
    for callback in tx._after_commit:
        callback()


def _broken(exc: BaseException) -> bool:
    """Whether the connection itself was lost, not only the statement refused."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated
    return isinstance(exc, OSError)
