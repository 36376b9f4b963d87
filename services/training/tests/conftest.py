"""Fixtures of the training tests (the factories are in `training_factories`, on pytest's
pythonpath)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from training.app import SPEC
from training.settings import TrainingSettings


@pytest.fixture
async def training(service_client: Any) -> AsyncIterator[Any]:
    """(client, app) of the training service on the current backend."""
    async with service_client(SPEC, TrainingSettings) as opened:
        yield opened
