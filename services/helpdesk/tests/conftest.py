"""Fixtures of the helpdesk tests (the factories are in `helpdesk_factories`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from helpdesk.app import SPEC
from helpdesk.settings import HelpdeskSettings


@pytest.fixture
async def helpdesk(service_client: Any) -> AsyncIterator[Any]:
    """(client, app) of the helpdesk service on the current backend."""
    async with service_client(SPEC, HelpdeskSettings) as opened:
        yield opened
