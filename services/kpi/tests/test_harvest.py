"""Harvesting the real catalogue's events feed over HTTP: organisations kept in step with its
directory; nothing lost when a side is down, nothing applied twice on a retry, a replay or a
second process (PostgreSQL, two processes)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from typing import Any

import pytest
from kpi_factories import committed, events_of, row_count
from pydantic import SecretStr
from sqlalchemy import select, update

from catalogue_factories import committed as catalogue_committed
from catalogue_factories import create_county, create_municipality, create_vendor, product_payload
from chassis.jobs import JobRunner
from chassis.runtime import app_runtime
from chassis.types import utcnow
from kpi.harvest.cli import harvest
from kpi.harvest.feed import FeedUnavailable
from kpi.harvest.jobs import HARVEST_CATALOGUE
from kpi.harvest.models import FeedCursor, HarvestedEvent
from kpi.organisations.models import Organisation, Population
from kpi.settings import KpiSettings
from kpi.usage.models import Product


async def _directory(app: Any) -> dict[str, str]:
    """Two counties with a municipality each, straight into the catalogue's tables."""
    async with catalogue_committed(app) as session:
        nordland = await create_county(session, number="18", name={"nb": "Nordland"})
        bodo = await create_municipality(session, nordland, number="1804", name="Bodø")
        oslo_county = await create_county(session, number="03", name={"nb": "Oslo"})
        oslo = await create_municipality(session, oslo_county, number="0301", name="Oslo")
    return {"bodo": bodo.number, "oslo": oslo.number}


async def _library(client: Any, issuer: Any, isil: str, municipality: str, name: str) -> None:
    created = await client.post(
        "/v1/libraries",
        json={"isil": isil, "name": name, "kind": "public", "municipality": municipality},
        headers=issuer.headers("programme_admin"),
    )
    assert created.status_code == 201, created.text


async def _organisations(app: Any) -> dict[str, tuple[str, str | None, str]]:
    """code → (level, county code, name)."""
    async with committed(app) as session:
        rows = (await session.execute(select(Organisation))).scalars().all()
        return {o.code: (o.level, o.county_code, o.name) for o in rows}


def _settings(app: Any, base: str, token: str) -> KpiSettings:
    settings = app_runtime(app).settings
    assert isinstance(settings, KpiSettings)
    harvest = settings.harvest.model_copy(update={"catalogue_url": base, "token": SecretStr(token)})
    return settings.model_copy(update={"harvest": harvest})


async def test_the_directory_arrives_through_the_kits_job(open_kpi, catalogue_http, issuer):
    base, catalogue, catalogue_app = catalogue_http
    areas = await _directory(catalogue_app)
    await _library(catalogue, issuer, "NO-2180400", areas["bodo"], "Bodø bibliotek")
    await _library(catalogue, issuer, "NO-2030000", areas["oslo"], "Deichman")
    async with open_kpi(
        harvest={"catalogue_url": base, "token": issuer.token("operator")},
        # The test runs the job itself: the app's own runner would race it for the lease.
        jobs={"enabled": False},
    ) as (
        client,
        app,
    ):
        runtime = app_runtime(app)
        runner = JobRunner(runtime.db, [HARVEST_CATALOGUE], runtime.settings, runtime=runtime)
        await runner.ensure_rows()
        assert await runner.run_due(utcnow()) == [("harvest-catalogue", "ok")]
        organisations = await _organisations(app)
        assert organisations["NO-2180400"] == ("library", "18", "Bodø bibliotek")
        assert organisations["1804"] == ("municipality", "18", "Bodø")
        assert organisations["03"] == ("county", "03", "Oslo")
        assert organisations["NO"][0] == "country"
        # The directory's populations come with each county and municipality.
        assert await row_count(app, Population) == 8
        harvests = await client.get("/v1/harvests", headers=issuer.headers("analyst"))
        assert harvests.json()["items"][0]["events_applied"] == 2

        # A library moves and is renamed; a population is set: the next run follows.
        moved = await catalogue.patch(
            "/v1/libraries/NO-2180400",
            json={"name": "Stormen bibliotek", "municipality": "0301"},
            headers=issuer.headers("programme_admin") | {"If-Match": '"1"'},
        )
        assert moved.status_code == 200, moved.text
        population = await catalogue.put(
            "/v1/municipalities/1804/populations/2026",
            json={"population": 54_000},
            headers=issuer.headers("programme_admin") | {"If-Match": '"1"'},
        )
        assert population.status_code in (200, 201), population.text
        # The job comes back after its interval.
        assert await runner.run_due(utcnow()) == []
        later = utcnow() + HARVEST_CATALOGUE.every
        assert await runner.run_due(later) == [("harvest-catalogue", "ok")]
        organisations = await _organisations(app)
        assert organisations["NO-2180400"] == ("library", "03", "Stormen bibliotek")
        bodo = (await client.get("/v1/organisations", params={"code": "1804"})).json()["items"][0]
        assert {"year": 2026, "population": 54_000} in bodo["populations"]
        assert len(await events_of(app, "organisation.created")) == 7


async def test_products_arrive_for_usage_reports_to_name(open_kpi, catalogue_http, issuer):
    base, catalogue, catalogue_app = catalogue_http
    async with catalogue_committed(catalogue_app) as session:
        vendor = await create_vendor(session)
    created = await catalogue.post(
        "/v1/products",
        json=product_payload(vendor_id=str(vendor.id)),
        headers=issuer.headers("programme_admin"),
    )
    assert created.status_code == 201, created.text
    async with open_kpi() as (_, app):
        await harvest(_settings(app, base, issuer.token("operator")))
        async with committed(app) as session:
            product = await session.get(Product, uuid.UUID(created.json()["id"]))
            assert product is not None
            assert (product.vendor_id, product.status) == (vendor.id, created.json()["status"])


async def test_nothing_is_lost_when_the_catalogue_is_down(open_kpi, catalogue_http, issuer):
    base, catalogue, catalogue_app = catalogue_http
    areas = await _directory(catalogue_app)
    await _library(catalogue, issuer, "NO-2180400", areas["bodo"], "Bodø bibliotek")
    async with open_kpi() as (_, app):
        down = _settings(app, "http://127.0.0.1:9", issuer.token("operator"))
        with pytest.raises(FeedUnavailable):
            await harvest(down)
        assert await row_count(app, Organisation) == 0
        assert await harvest(_settings(app, base, issuer.token("operator"))) == 1
        assert (await _organisations(app))["NO-2180400"][0] == "library"


async def test_a_replayed_page_applies_nothing_twice(open_kpi, catalogue_http, issuer):
    base, catalogue, catalogue_app = catalogue_http
    areas = await _directory(catalogue_app)
    await _library(catalogue, issuer, "NO-2180400", areas["bodo"], "Bodø bibliotek")
    async with open_kpi() as (_, app):
        settings = _settings(app, base, issuer.token("operator"))
        await harvest(settings)
        before = (await row_count(app, Organisation), await row_count(app, HarvestedEvent))
        # The cursor is lost (restored from an old backup): the feed is read again from 0.
        async with committed(app) as session:
            await session.execute(update(FeedCursor).values(after=0))
        await harvest(settings)
        assert (await row_count(app, Organisation), await row_count(app, HarvestedEvent)) == before
        async with committed(app) as session:
            cursor = await session.scalar(select(FeedCursor))
            assert cursor is not None
            assert cursor.events_applied == 1


async def test_two_processes_harvest_each_event_once(
    backend, open_kpi, catalogue_http, issuer, tmp_path
):
    if backend != "postgresql":
        pytest.skip("replicas share PostgreSQL; the embedded SQLite run is one process")
    base, catalogue, catalogue_app = catalogue_http
    areas = await _directory(catalogue_app)
    for n in range(40):
        municipality = areas["bodo"] if n % 2 else areas["oslo"]
        await _library(catalogue, issuer, f"NO-29{n:05d}", municipality, f"Bibliotek {n}")
    async with open_kpi() as (_, app):
        settings = app_runtime(app).settings
        env = {
            **os.environ,
            "KPI_DATABASE_URL": settings.database_url.get_secret_value(),
            "KPI_HARVEST__CATALOGUE_URL": base,
            "KPI_HARVEST__TOKEN": issuer.token("operator"),
            # Small pages: many chances for the two to meet on the same one.
            "KPI_HARVEST__PAGE_SIZE": "3",
            "KPI_LOG_LEVEL": "WARNING",
        }
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "kpi",
                "harvest",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), 120)
        assert [p.returncode for p in processes] == [0, 0], [o[0].decode()[-2000:] for o in outputs]
        assert await row_count(app, HarvestedEvent) == 40
        libraries = [
            c for c, (level, _, _) in (await _organisations(app)).items() if level == "library"
        ]
        assert len(libraries) == 40
        assert len(await events_of(app, "organisation.created")) == 40 + 2 + 2 + 1
        async with committed(app) as session:
            cursor = await session.scalar(select(FeedCursor))
            assert cursor is not None
            assert cursor.events_applied == 40
    assert json.dumps(libraries)
