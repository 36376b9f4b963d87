"""Many rows into one table, fast, in a session's own transaction: PostgreSQL's COPY, SQLite's
executemany of values its column types have already converted. SQLAlchemy's executemany spent
~30 µs a row converting parameters (a 100,000-row import wrote in 6 to 9 s); this path hands the
driver ready values (docs/decisions/0035). For plain INSERTs of whole rows, no RETURNING."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

Convert = Callable[[Any], Any]


def _chain(decorate: Callable[[Any, Any], Any], process: Convert | None, dialect: Any) -> Convert:
    def convert(value: Any) -> Any:
        bound = decorate(value, dialect)
        return bound if process is None else process(bound)

    return convert


def _converters(table: Table, columns: Sequence[str], dialect: Any) -> list[Convert | None]:
    """Per column, what SQLAlchemy would do to a value bound to it: a TypeDecorator's
    `process_bind_param` (UTCDateTime), then the dialect's conversion (UUID as hex on SQLite)."""
    converters: list[Convert | None] = []
    for name in columns:
        column_type = table.c[name].type
        decorate = getattr(column_type, "process_bind_param", None)
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        converters.append(process if decorate is None else _chain(decorate, process, dialect))
    return converters


async def insert_many(
    session: AsyncSession, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows` (tuples in the order of `columns`) into `table`."""
    if not rows:
        return
    connection = await session.connection()
    dialect = connection.dialect
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None  # a connection checked out of the pool
    if dialect.name == "postgresql":
        if not driver.is_in_transaction():
            # SQLAlchemy's asyncpg adapter sends BEGIN with the session's first statement.
            await connection.exec_driver_sql("SELECT 1")
        await driver.copy_records_to_table(table.name, records=rows, columns=list(columns))
        return
    converters = _converters(table, columns, dialect)
    ready = [
        tuple(v if c is None or v is None else c(v) for v, c in zip(row, converters, strict=True))
        for row in rows
    ]
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    # Names come from the table's own definition, not from input.
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608
    await connection.exec_driver_sql(sql, ready)
