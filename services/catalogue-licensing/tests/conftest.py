"""Fixtures of the catalogue tests; makes `factories` importable (pytest runs with importlib
import mode, which puts no test directory on sys.path)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalogue_licensing.app import SPEC
from catalogue_licensing.settings import CatalogueSettings


@pytest.fixture
async def catalogue(service_client: Any) -> AsyncIterator[Any]:
    """(client, app) of the catalogue service on the current backend."""
    async with service_client(SPEC, CatalogueSettings) as opened:
        yield opened
