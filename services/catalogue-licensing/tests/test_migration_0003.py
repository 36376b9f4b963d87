"""Migration 0003 fills the population year of the cost shares computed before it, from the
latest year up to the contract year whose population is the stored basis, and goes down again."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from catalogue_factories import create_county, create_vendor, product_payload
from catalogue_licensing.agreements.models import Agreement
from catalogue_licensing.app import SPEC
from catalogue_licensing.products.models import Product
from chassis.migrations import alembic_config, upgrade
from chassis.types import utcnow

# The table as revision 0002 made it: the model already has the column this migration adds.
_shares_0002 = sa.table(
    "cost_shares",
    sa.column("agreement_id", sa.Uuid()),
    sa.column("county_id", sa.Uuid()),
    sa.column("amount_minor", sa.BigInteger()),
    sa.column("currency", sa.String()),
    sa.column("basis", sa.BigInteger()),
    sa.column("computed_at", sa.DateTime(timezone=True)),
)


async def _seed(url: str) -> dict[str, uuid.UUID]:
    """Three agreements of 2026 with a share of Oslo's each, written as revision 0002 had them."""
    engine = create_async_engine(url)
    ids = {name: uuid.uuid4() for name in ("per_inhabitant", "stale", "equal")}
    async with async_sessionmaker(engine)() as session, session.begin():
        oslo = await create_county(session, populations={2024: 700, 2025: 720, 2027: 720})
        vendor = await create_vendor(session)
        # The products table as revision 0002 had it: the model's later columns left out.
        products_0002 = sa.table(
            "products",
            *[sa.column(c.name, c.type) for c in Product.__table__.columns if c.name != "logo_url"],
        )
        product_id = uuid.uuid4()
        await session.execute(
            products_0002.insert().values(
                id=product_id,
                vendor_id=vendor.id,
                status="active",
                **product_payload(),
                created_at=utcnow(),
                updated_at=utcnow(),
                version=1,
            )
        )
        for name, agreement_id in ids.items():
            session.add(
                Agreement(
                    id=agreement_id,
                    product_id=product_id,
                    period_start=date(2026, 1, 1),
                    period_end=date(2026, 12, 31),
                    yearly_price_minor=100,
                    currency="NOK",
                    terms={},
                    split_key="equal" if name == "equal" else "per_inhabitant",
                    weights=None,
                    created_by="test",
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
        await session.flush()
        # 720 is 2025's population (the latest up to 2026; 2027 is after the contract year);
        # 710 is no year's any more; 1 is an equal share's basis.
        for name, basis in (("per_inhabitant", 720), ("stale", 710), ("equal", 1)):
            await session.execute(
                _shares_0002.insert().values(
                    agreement_id=ids[name],
                    county_id=oslo.id,
                    amount_minor=100,
                    currency="NOK",
                    basis=basis,
                    computed_at=utcnow(),
                )
            )
    await engine.dispose()
    return ids


async def _columns_and_years(url: str) -> tuple[set[str], dict[uuid.UUID, int | None]]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("cost_shares")}
        )
        years: dict[uuid.UUID, int | None] = {}
        if "population_year" in columns:
            rows: Any = await connection.execute(
                sa.select(
                    sa.column("agreement_id", sa.Uuid()), sa.column("population_year")
                ).select_from(sa.table("cost_shares"))
            )
            years = {row[0]: row[1] for row in rows}
    await engine.dispose()
    return columns, years


def test_existing_shares_get_the_year_their_basis_came_from(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'catalogue.db'}"
    upgrade(SPEC.alembic_ini, url, "0002")
    ids = asyncio.run(_seed(url))

    upgrade(SPEC.alembic_ini, url, "0003")
    _, years = asyncio.run(_columns_and_years(url))
    assert years == {ids["per_inhabitant"]: 2025, ids["stale"]: None, ids["equal"]: None}

    command.downgrade(alembic_config(SPEC.alembic_ini, url), "0002")
    columns, _ = asyncio.run(_columns_and_years(url))
    assert "population_year" not in columns
    assert "basis" in columns
