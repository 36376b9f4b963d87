"""The bench's own PostgreSQL database: created fresh for one run, dropped when it ends.

The server is BENCH_POSTGRES_URL (else TEST_POSTGRES_URL, else postgres@127.0.0.1:5432, as the
tests use); the run's database gets a name of its own, so runs never share or keep data.
"""

from __future__ import annotations

import asyncio
import os
import uuid

from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from chassis.database_url import async_database_url

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CONNECT_TIMEOUT_SECONDS = 3.0


def admin_url() -> str:
    raw = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get(
        "TEST_POSTGRES_URL", DEFAULT_ADMIN_URL
    )
    return async_database_url(raw)


async def _admin(statement: str) -> None:
    engine = create_async_engine(
        admin_url(), connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}, isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def create_database() -> tuple[str, str] | None:
    """(name, URL) of a new empty database, or None when no PostgreSQL server answers."""
    name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        # The name is made here from digits and hex, never from input.
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, DBAPIError) as exc:
        print(f"bench | no PostgreSQL at {make_url(admin_url()).host}: {exc}; SQLite only")
        return None
    url = make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
    return name, url


def drop_database(name: str) -> None:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
