"""Fixtures of the kpi tests (helpers are in `kpi_factories`, on pytest's pythonpath)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from kpi_factories import committed

from kpi.app import SPEC, create_app
from kpi.indicators.service import install_starter_set
from kpi.settings import KpiSettings


@pytest.fixture
async def kpi(databases: Any, issuer: Any) -> AsyncIterator[Any]:
    """(client, app) of the kpi service on the current backend, with the starter indicators.

    Built by `create_app`, as `python -m kpi serve` builds it (the kit's `service_client` uses
    `build_app`, whose edge refuses the CSV body of imports: see kpi.media)."""
    url = await databases.migrated(SPEC.name, SPEC.alembic_ini)
    settings = KpiSettings(
        database_url=url, log_format="json", auth={"jwks_json": json.dumps(issuer.jwks)}
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            # The migration adds the starter set; the tests empty every table after each test.
            async with committed(app) as session:
                await install_starter_set(session)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                yield client, app
    finally:
        await databases.empty(SPEC.name)
