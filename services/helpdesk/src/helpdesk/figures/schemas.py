"""The figures' query parameters and answers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from chassis.schemas import OutputModel

MAX_DAYS = 400
Format = Literal["json", "csv"]


class PeriodQuery(BaseModel):
    """A period of days in UTC, `since` included and `until` excluded."""

    model_config = {"extra": "forbid"}

    since: date | None = Field(None, description="First day (default: 90 days before until)")
    until: date | None = Field(None, description="Day after the last (default: tomorrow)")
    format: Format = Field("json", description="json, or csv for a spreadsheet")

    @model_validator(mode="after")
    def _ordered(self) -> PeriodQuery:
        if self.since and self.until and not self.since < self.until:
            raise ValueError("since must be before until (until is the day after the last)")
        if self.since and self.until and (self.until - self.since).days > MAX_DAYS:
            raise ValueError(f"a period is at most {MAX_DAYS} days")
        return self

    def period(self, *, today: date) -> tuple[date, date]:
        until = self.until or today + timedelta(days=1)
        return self.since or until - timedelta(days=90), until


class VolumeQuery(PeriodQuery):
    by: Literal["service", "channel", "library", "month"] = "service"


class PerformanceQuery(PeriodQuery):
    by: Literal["service", "priority", "library"] = "service"


class BacklogQuery(BaseModel):
    model_config = {"extra": "forbid"}

    by: Literal["service", "priority", "state", "library"] = "service"
    format: Format = "json"


class VolumeRow(OutputModel):
    key: str
    tickets: int
    calls: int
    call_minutes: float


class PerformanceRow(OutputModel):
    key: str
    tickets: int
    first_response_measured: int
    first_response_median_minutes: float | None
    first_response_p90_minutes: float | None
    first_response_compliance_percent: float | None
    resolution_measured: int
    resolution_median_minutes: float | None
    resolution_p90_minutes: float | None
    resolution_compliance_percent: float | None


class BacklogRow(OutputModel):
    key: str
    new: int
    open: int
    pending: int
    resolved: int
    overdue: int


class VolumesOut(OutputModel):
    period_from: date
    period_to: date
    by: str
    items: list[VolumeRow]


class PerformanceOut(OutputModel):
    period_from: date
    period_to: date
    by: str
    unit: Literal["business minutes"]
    items: list[PerformanceRow]


class BacklogOut(OutputModel):
    at: datetime
    by: str
    items: list[BacklogRow]
