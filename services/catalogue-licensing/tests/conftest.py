"""Fixtures of the catalogue tests (the factories are in `catalogue_factories`, on pytest's
pythonpath)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from catalogue_licensing.app import SPEC
from catalogue_licensing.settings import CatalogueSettings


@pytest.fixture
async def catalogue(service_client: Any) -> AsyncIterator[Any]:
    """(client, app) of the catalogue service on the current backend."""
    async with service_client(SPEC, CatalogueSettings) as opened:
        yield opened
