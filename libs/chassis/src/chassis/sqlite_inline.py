"""SQLite connections for the async engine: what cannot wait runs on the event loop, waits on a thread.

aiosqlite sends every call (cursor, execute, fetch, close, commit) to the connection's own thread
and back: four hops for one SELECT, thirteen for a two-query page, each a thread wake-up, a GIL
hand-over and a loop wake-up that cost more than the statement itself (docs/decisions/0015).
Most of these calls cannot block: in WAL mode a reader takes no lock, and a writer that holds
the write lock (BEGIN IMMEDIATE succeeded) waits for nobody until its COMMIT. Those run inline,
on the loop's thread. What can wait stays on aiosqlite's thread, where a wait blocks only that
connection: connecting (journal mode), taking the write lock when another process holds it
(up to the busy timeout, then "database is locked" as before), a write outside a held lock and
its COMMIT, and the WAL checkpoint, run every CHECKPOINT_EVERY commits instead of inside one
(a checkpoint syncs the files). Writers of one process queue on the loop (WriteGate) rather
than in SQLite's sleeping busy handler (docs/decisions/0018).
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable
from typing import Any

import aiosqlite

# Calls on a sqlite3 cursor that only hand over rows that are there or step a read.
_CURSOR_INLINE = frozenset({"fetchone", "fetchmany", "fetchall", "close"})
# Statements that hold the write lock once they have run in a transaction. Anything else that is
# not a plain read (SAVEPOINT, PRAGMA, a WITH that may or may not write) proves nothing.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
# A writer's commit of a few pages each: about SQLite's own default of a checkpoint per 1000
# WAL pages.
CHECKPOINT_EVERY = 200


def _statement_kind(sql: object) -> str:
    """What a statement may wait for: "read" (takes no lock), "lock" (asks for the write
    lock), "write" (takes it) or "other" (unknown)."""
    if not isinstance(sql, str):
        return "other"
    head = sql.lstrip()[:16].upper()
    if head.startswith("SELECT"):
        return "read"
    if head.startswith("BEGIN"):
        rest = head[5:].lstrip()
        if rest.startswith(("IMMEDIATE", "EXCLUSIVE")):
            return "lock"
        # Deferred: no lock until the first read or write.
        return "read"
    if head.startswith(_WRITES):
        return "write"
    return "other"


def _checkpoint(connection: sqlite3.Connection) -> None:
    """Copy the WAL's committed pages into the database, as far as no reader needs them."""
    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or "locked" in str(exc)


class WriteGate:
    """The writers of one database file in this process, one at a time, queued on the loop.

    SQLite has one write lock per file. Without the gate, a writer that finds it taken waits on
    its connection's thread in SQLite's busy handler, which sleeps and retries (1, 2, 5 … ms):
    under sixteen concurrent writers that was most of each write's time and CPU. Queued here,
    each writer finds the lock free; writers in other processes still meet the busy timeout.
    A writer that cannot pass the gate within the busy timeout fails as a locked database does.
    """

    def __init__(self, busy_timeout_ms: int) -> None:
        self._lock = asyncio.Lock()
        self._timeout = busy_timeout_ms / 1000
        self._commits = 0

    def checkpoint_due(self) -> bool:
        """Count a writer's commit; True once every CHECKPOINT_EVERY commits."""
        self._commits += 1
        if self._commits < CHECKPOINT_EVERY:
            return False
        self._commits = 0
        return True

    async def enter(self) -> None:
        if not self._lock.locked():
            # Free: taken at once (no timer to set up, nothing can get in between).
            await self._lock.acquire()
            return
        try:
            # asyncio.timeout, not wait_for: no task per waiting writer.
            async with asyncio.timeout(self._timeout):
                await self._lock.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked (in-process writer queue)") from None

    def leave(self) -> None:
        self._lock.release()


# The gate of each SQLite engine (by its sync Engine), for code that queues writers before taking
# a connection (chassis.sql.Connections).
_GATES: weakref.WeakKeyDictionary[Any, WriteGate] = weakref.WeakKeyDictionary()


def register_gate(engine: Any, gate: WriteGate) -> None:
    _GATES[engine] = gate


def gate_of(engine: Any) -> WriteGate | None:
    """The write gate of a SQLite engine's connections; None for another database."""
    return _GATES.get(engine)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs the calls that cannot wait on the caller's thread.

    One caller at a time uses a pooled connection (SQLAlchemy awaits each call), so a call
    never runs inline while another is on the thread.
    """

    def __init__(
        self,
        connector: Callable[[], sqlite3.Connection],
        busy_timeout_ms: int,
        gate: WriteGate | None = None,
    ) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._gate = gate or WriteGate(busy_timeout_ms)
        self._in_gate = False
        # True while this connection's transaction surely holds the write lock: its statements
        # cannot wait. `_dirty`: it ran something other than reads, so its COMMIT may write.
        self._writing = False
        self._dirty = False
        self._thread.daemon = True

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        name = getattr(fn, "__name__", "")
        owner = getattr(fn, "__self__", None)
        if isinstance(owner, sqlite3.Cursor):
            return await self._cursor_call(fn, name, args, kwargs)
        if isinstance(owner, sqlite3.Connection):
            return await self._connection_call(fn, name, args, kwargs)
        return await self._on_thread(fn, *args, **kwargs)

    async def _cursor_call(
        self, fn: Callable[..., Any], name: str, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        if name in _CURSOR_INLINE:
            return fn(*args, **kwargs)
        if name in ("execute", "executemany"):
            return await self._statement(fn, args, kwargs)
        return await self._on_thread(fn, *args, **kwargs)

    async def _connection_call(
        self, fn: Callable[..., Any], name: str, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        if name == "cursor":
            return fn(*args, **kwargs)
        if name == "execute":
            return await self._statement(fn, args, kwargs)
        if name == "rollback":
            # Discarding a transaction waits for nobody and writes nothing durable.
            self._writing = self._dirty = False
            try:
                return fn(*args, **kwargs)
            finally:
                self._leave_gate()
        if name == "close":
            self._leave_gate()
        if name == "commit":
            return await self._commit(fn)
        return await self._on_thread(fn, *args, **kwargs)

    def holds_gate(self) -> None:
        """The caller entered this connection's gate for it (`chassis.sql.Connections` does, for
        a writer, before taking a connection): its BEGIN IMMEDIATE does not queue again, and its
        COMMIT or ROLLBACK leaves the gate."""
        self._in_gate = True

    async def begin(self, *, write: bool) -> None:
        """Start a transaction: BEGIN, or BEGIN IMMEDIATE for a writer (waiting for the lock on
        the thread when another connection holds it). The engine's `begin` hook calls this
        directly instead of running a statement through SQLAlchemy's execution machinery."""
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        if write:
            await self._take_write_lock(self._conn.execute, ("BEGIN IMMEDIATE",), {})
        else:
            self._conn.execute("BEGIN")

    async def run_statement(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        """Run one statement, inline or on the thread by what it may wait for (as a statement
        through SQLAlchemy would), and answer its cursor: `chassis.sql`'s path to the driver."""
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        cursor: sqlite3.Cursor = await self._statement(self._conn.execute, (sql, args), {})
        return cursor

    async def _on_thread(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # aiosqlite's own path: queued to the connection's thread, awaited here.
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    async def _statement(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Any) -> Any:
        kind = _statement_kind(args[0] if args else None)
        if self._writing:
            try:
                return fn(*args, **kwargs)
            finally:
                if not self._conn.in_transaction:  # a COMMIT or ROLLBACK sent as a statement
                    self._end_of_transaction()
        if kind == "read":
            return fn(*args, **kwargs)
        if kind == "lock":
            return await self._take_write_lock(fn, args, kwargs)
        # A write without the lock, or a statement of unknown effect: it may wait, so on the thread.
        try:
            return await self._on_thread(fn, *args, **kwargs)
        finally:
            if self._conn.in_transaction:
                self._dirty = True
                self._writing = self._writing or kind == "write"
            else:
                self._end_of_transaction()

    async def _take_write_lock(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        # Behind this process's other writers first; then without waiting, inline: the lock is
        # free almost always. Only when another process holds it does the wait (bounded by the
        # busy timeout) go to the thread.
        if not self._in_gate:
            await self._gate.enter()
            self._in_gate = True
        try:
            return await self._lock_after_gate(fn, args, kwargs)
        except BaseException:
            if not self._conn.in_transaction:
                self._leave_gate()
            raise

    async def _lock_after_gate(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        conn = self._conn
        conn.execute("PRAGMA busy_timeout=0")
        try:
            result = fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        else:
            self._writing = self._dirty = True
            return result
        finally:
            conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        result = await self._on_thread(fn, *args, **kwargs)
        self._writing = self._dirty = True
        return result

    async def _commit(self, fn: Callable[..., Any]) -> Any:
        if not (self._writing or self._dirty):
            # A reader's COMMIT only ends its snapshot.
            try:
                return fn()
            finally:
                self._leave_gate()
        if not self._writing:
            # Wrote without holding the lock from the start: the COMMIT may wait for it.
            try:
                return await self._on_thread(fn)
            finally:
                if not self._conn.in_transaction:
                    self._end_of_transaction()
        # A writer that holds the lock: in WAL mode with synchronous=NORMAL its COMMIT appends
        # to the WAL and syncs nothing, so it runs inline. What can take long is a checkpoint,
        # which SQLite would run inside a COMMIT once the WAL passes 1000 pages: the kit's
        # connections turn that off (wal_autocheckpoint=0) and run one on the thread instead,
        # every CHECKPOINT_EVERY commits of the engine's writers.
        try:
            result = fn()
        except BaseException:
            if not self._conn.in_transaction:
                self._end_of_transaction()
            raise
        if self._conn.in_transaction:
            return result
        if not self._gate.checkpoint_due():
            self._end_of_transaction()
            return result
        # The checkpoint runs before this writer leaves the gate: with no writer of this process
        # appending meanwhile it copies the whole WAL, and the next writer starts the WAL over
        # from its beginning. Run after leaving the gate, it never caught up with 16 writers in
        # flight and the WAL grew without end (731 MB after 20,000 writes, and every page lookup
        # slower with it: docs/decisions/0020).
        try:
            await self._on_thread(_checkpoint, self._conn)
        finally:
            self._end_of_transaction()
        return result

    def _end_of_transaction(self) -> None:
        self._writing = self._dirty = False
        self._leave_gate()

    def _leave_gate(self) -> None:
        if self._in_gate:
            self._in_gate = False
            self._gate.leave()


async def connect_inline(
    database: str, *, busy_timeout_ms: int, gate: WriteGate | None = None, **kwargs: Any
) -> InlineConnection:
    """Open `database` (a path or a file: URI) as an `InlineConnection`."""
    # Calls come from the loop's thread and from the connection's own thread, one at a time.
    kwargs["check_same_thread"] = False

    def connector() -> sqlite3.Connection:
        opened: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return opened

    connection = InlineConnection(connector, busy_timeout_ms, gate)
    await connection
    return connection
