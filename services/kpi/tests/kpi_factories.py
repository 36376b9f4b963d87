"""Plain helpers for the kpi tests: committed sessions, row counts, events, request bodies."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from chassis.runtime import app_runtime
from chassis.types import utcnow
from kpi.db import outbox
from kpi.organisations.schemas import OrganisationIn
from kpi.organisations.service import create_organisation
from kpi.usage.products import record_product


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


ANALYST = Principal(subject="test-analyst", roles=frozenset({"analyst"}))


@dataclass(frozen=True)
class Hierarchy:
    """Norway with two counties, a municipality in each and a library in each municipality."""

    country: uuid.UUID
    nordland: uuid.UUID
    bodo: uuid.UUID
    bodo_library: uuid.UUID
    oslo_county: uuid.UUID
    oslo: uuid.UUID
    oslo_library: uuid.UUID


async def _add(
    session: AsyncSession, level: str, code: str, name: str, parent: uuid.UUID | None
) -> uuid.UUID:
    body = OrganisationIn(level=level, code=code, name=name, parent_id=parent)
    organisation = await create_organisation(session, principal=ANALYST, body=body, request_id=None)
    return organisation.id


async def add_hierarchy(app: FastAPI) -> Hierarchy:
    async with committed(app) as session:
        country = await _add(session, "country", "NO", "Norge", None)
        nordland = await _add(session, "county", "18", "Nordland", country)
        bodo = await _add(session, "municipality", "1804", "Bodø", nordland)
        bodo_library = await _add(session, "library", "NO-2180400", "Bodø bibliotek", bodo)
        oslo_county = await _add(session, "county", "03", "Oslo", country)
        oslo = await _add(session, "municipality", "0301", "Oslo", oslo_county)
        oslo_library = await _add(session, "library", "NO-2030000", "Deichman", oslo)
    return Hierarchy(country, nordland, bodo, bodo_library, oslo_county, oslo, oslo_library)


async def add_product(app: FastAPI, category: str | None = "ebooks") -> uuid.UUID:
    """A catalogue product as kpi knows it from the feed (active, a vendor of its own)."""
    product_id = uuid.uuid4()
    async with committed(app) as session:
        await record_product(
            session,
            principal=ANALYST,
            product_id=product_id,
            vendor_id=uuid.uuid4(),
            status="active",
            category=category,
            now=utcnow(),
        )
    return product_id
