"""The published catalogue's shape: services, their channels, calendars and promises."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import OutputModel
from helpdesk.catalogue.schemas import ChannelOut, HolidaysOut, SpanOut


class ClosureOut(OutputModel):
    date: date
    reason: str


class PublishedCalendarOut(OutputModel):
    code: str
    name: str
    time_zone: str
    weekly_hours: dict[str, list[SpanOut]]
    holidays: HolidaysOut | None
    upcoming_closures: list[ClosureOut] = Field(
        description="Weekdays closed in the next 60 days (holidays, closing days), with why"
    )


class ResultOut(OutputModel):
    """What the desk achieved for this priority over the last calendar quarter."""

    period: str = Field(examples=["2026-Q3"])
    tickets: int
    first_response_compliance_percent: float | None
    first_response_median_minutes: float | None
    resolution_compliance_percent: float | None
    resolution_median_minutes: float | None


class PromiseOut(OutputModel):
    priority: str
    first_response_minutes: int = Field(description="Target, in business minutes")
    resolution_minutes: int = Field(description="Target, in business minutes")
    last_quarter: ResultOut


class PublishedServiceOut(OutputModel):
    id: uuid.UUID
    code: str
    kind: str
    product_id: uuid.UUID | None
    name: str = Field(description="In the language of Content-Language (from Accept-Language)")
    description: str
    categories: list[str]
    channels: list[ChannelOut]
    calendar: PublishedCalendarOut
    promises: list[PromiseOut]


class CatalogueQuery(PageQuery):
    pass
