"""Fixtures of the kpi tests (helpers are in `kpi_factories`, on pytest's pythonpath)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from kpi_factories import committed

from catalogue_licensing.app import SPEC as CATALOGUE_SPEC
from catalogue_licensing.settings import CatalogueSettings
from kpi.app import SPEC, create_app
from kpi.indicators.service import install_starter_set
from kpi.settings import KpiSettings


@pytest.fixture
async def open_kpi(databases: Any, issuer: Any) -> AsyncIterator[Any]:
    """`async with open_kpi(**settings) as (client, app)`: the kpi service on the current
    backend, with the starter indicators, built by `create_app` as `python -m kpi serve` builds
    it (the kit's `service_client` uses `build_app`, whose edge refuses the CSV body of imports:
    see kpi.media)."""

    @asynccontextmanager
    async def opened(**overrides: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
        url = await databases.migrated(SPEC.name, SPEC.alembic_ini)
        defaults: dict[str, Any] = {
            "database_url": url,
            "log_format": "json",
            "auth": {"jwks_json": json.dumps(issuer.jwks)},
        }
        app = create_app(KpiSettings(**(defaults | overrides)))
        async with app.router.lifespan_context(app):
            # The migration adds the starter set; the tests empty every table after each test.
            async with committed(app) as session:
                await install_starter_set(session)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                yield client, app

    try:
        yield opened
    finally:
        await databases.empty(SPEC.name)


@pytest.fixture
async def kpi(open_kpi: Any) -> AsyncIterator[Any]:
    """(client, app) of the kpi service on the current backend, with the starter indicators."""
    async with open_kpi() as pair:
        yield pair


@pytest.fixture
async def catalogue_http(service_client: Any) -> AsyncIterator[Any]:
    """The real catalogue service on a local port (its events feed and directory over HTTP),
    as (base URL, client, app)."""
    async with service_client(CATALOGUE_SPEC, CatalogueSettings) as (client, app):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", access_log=False
        )
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}", client, app
        finally:
            server.should_exit = True
            await serving
            # The connections' transports close on the loop's next turns: let them, so that no
            # socket is left for the garbage collector to find in a later test.
            for _ in range(3):
                await asyncio.sleep(0)
