"""The published catalogue's shape: services, their channels, calendars and promises."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from chassis.pagination import PageQuery
from chassis.schemas import OutputModel
from helpdesk.catalogue.schemas import ChannelOut, HolidaysOut, Priority, SpanOut
from helpdesk.sla.schemas import IntervalOut


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


# The years a due time may be asked for: the holidays library knows any year, but a promise is
# about the years a ticket could be raised in, and the contract says which (a pattern on the
# value, so a client and the contract fuzzing know it too).
FIRST_YEAR, LAST_YEAR = 2000, 2099
RaisedAt = Annotated[AwareDatetime, Field(json_schema_extra={"pattern": r"^20[0-9]{2}-"})]


class DueTimesQuery(BaseModel):
    priority: Priority = Field(description="The priority the ticket would have")
    raised_at: RaisedAt | None = Field(
        None,
        description=(
            "When the ticket would be raised, with its UTC offset, in the years "
            f"{FIRST_YEAR}-{LAST_YEAR}; default now"
        ),
        examples=["2026-05-22T15:30:00+02:00"],
    )

    @field_validator("raised_at")
    @classmethod
    def _in_range(cls, value: datetime | None) -> datetime | None:
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(f"a time in the years {FIRST_YEAR}-{LAST_YEAR}")
        return value


class DueTimeOut(OutputModel):
    clock: Literal["first_response", "resolution"]
    target_minutes: int = Field(description="The promise, in business minutes")
    due_at: datetime | None = Field(
        description="Null when the calendar has no such business time within a year"
    )
    local_due_at: str | None = Field(description="The due time in the calendar's time zone")
    intervals: list[IntervalOut] = Field(
        description="From the raising to the due time: what counts, what is skipped and why"
    )


class DueTimesOut(OutputModel):
    """The due times a ticket raised at a moment would get, with why: the promise worked out."""

    service_id: uuid.UUID
    priority: str
    calendar: str = Field(description="The business calendar's code")
    time_zone: str
    raised_at: datetime
    local_raised_at: str
    clocks: list[DueTimeOut]
