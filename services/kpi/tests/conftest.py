"""Fixtures of the kpi tests (helpers are in `kpi_factories`, on pytest's pythonpath)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from kpi_factories import committed

from kpi.app import SPEC
from kpi.indicators.service import install_starter_set
from kpi.settings import KpiSettings


@pytest.fixture
async def kpi(service_client: Any) -> AsyncIterator[Any]:
    """(client, app) of the kpi service on the current backend, with the starter indicators."""
    async with service_client(SPEC, KpiSettings) as opened:
        # The migration adds the starter set; the tests empty every table after each test.
        async with committed(opened[1]) as session:
            await install_starter_set(session)
        yield opened
