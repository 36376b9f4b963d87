"""Plain helpers for the kpi tests: committed sessions, row counts, events, request bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.runtime import app_runtime
from kpi.db import outbox


@asynccontextmanager
async def committed(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session of the running app whose writes commit when the block ends."""
    async with app_runtime(app).db.writer() as session, session.begin():
        yield session


async def row_count(app: FastAPI, what: Any) -> int:
    async with committed(app) as session:
        return int(await session.scalar(select(func.count()).select_from(what)) or 0)


async def events_of(app: FastAPI, type_: str) -> list[dict[str, Any]]:
    """The data of the outbox events of one type, oldest first."""
    async with committed(app) as session:
        rows = await session.execute(
            select(outbox.c.data).where(outbox.c.type == type_).order_by(outbox.c.seq)
        )
        return [r[0] for r in rows]


def indicator_body(**overrides: Any) -> dict[str, Any]:
    return {
        "code": "opening_hours",
        "name": {"en": "Opening hours", "nb": "Åpningstimer"},
        "description": {"en": "Hours the library is open to the public."},
        "unit": "hours",
        "value_type": "duration",
        "rollup": "sum",
        "periodicity": "week",
        "source": "entered",
    } | overrides
