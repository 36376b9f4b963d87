"""The explanation of a ticket's SLA clocks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from chassis.schemas import OutputModel


class IntervalOut(OutputModel):
    start: datetime
    end: datetime
    local_start: str = Field(description="The start in the calendar's time zone (ISO 8601)")
    local_end: str
    counted: bool = Field(description="Business time that counts toward the target")
    reason: str = Field(
        examples=[
            "business hours",
            "public holiday: Pentecost Monday",
            "paused: pending on the library",
        ]
    )
    minutes: float


class ClockExplainedOut(OutputModel):
    clock: Literal["first_response", "resolution"]
    target_minutes: int
    started_at: datetime
    due_at: datetime | None = Field(description="Null while paused")
    stopped_at: datetime | None
    status: Literal["running", "paused", "met", "breached"]
    counted_minutes: float = Field(description="Business minutes counted so far (or until stopped)")
    remaining_minutes: float
    intervals: list[IntervalOut] = Field(
        description="From the start to the due time (to now while paused, to the stop if later)"
    )


class SlaOut(OutputModel):
    ticket_id: uuid.UUID
    priority: str
    calendar: str = Field(description="The business calendar's code")
    time_zone: str
    clocks: list[ClockExplainedOut]
