"""Bodies of harvests: where each feed's cursor stands."""

from __future__ import annotations

from datetime import datetime

from chassis.schemas import OutputModel


class HarvestOut(OutputModel):
    feed: str
    after: int
    events_applied: int
    version: int
    updated_at: datetime
