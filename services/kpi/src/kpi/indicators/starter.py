"""The design's starter set of indicators, shipped as data (`starter.json`): a migration adds it
to a new database, the tests and the demo loader through `service.install_starter_set`."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from kpi.indicators.schemas import IndicatorIn


@cache
def starter_set() -> tuple[IndicatorIn, ...]:
    """The starter indicators, each checked by the API's own schema; parts before the ratios
    that name them."""
    raw = resources.files("kpi.indicators").joinpath("starter.json").read_text(encoding="utf-8")
    return tuple(IndicatorIn.model_validate(item) for item in json.loads(raw))


def starter_rows(now: datetime) -> list[dict[str, Any]]:
    """The starter set as rows of the indicators table, version 1, stamped `now`."""
    return [
        body.model_dump(mode="json") | {"version": 1, "created_at": now, "updated_at": now}
        for body in starter_set()
    ]
