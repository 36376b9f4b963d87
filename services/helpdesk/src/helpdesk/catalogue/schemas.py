"""Request and response bodies of business calendars and supported services."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, field_validator, model_validator

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from helpdesk.hours.calendar import HolidayRule, Span, check_day_spans
from helpdesk.texts import Descriptions, Names

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Priority = Literal["critical", "high", "normal", "low"]
PRIORITIES: tuple[Priority, ...] = ("critical", "high", "normal", "low")
Channel = Literal["portal", "email", "phone"]
ServiceKind = Literal["library_system", "website", "digital_collection", "licensed_product"]
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$", examples=["library-system"])]
ClockTime = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$", examples=["08:00"])]


class SpanIO(InputModel):
    start: ClockTime
    end: ClockTime = Field(description="24:00 ends the span at midnight")


def _check_week(week: dict[Weekday, list[SpanIO]]) -> dict[Weekday, list[SpanIO]]:
    for day, spans in week.items():
        try:
            check_day_spans([Span.parse(s.start, s.end) for s in spans])
        except ValueError as exc:
            raise ValueError(f"{day}: {exc}") from exc
    return week


WeeklyHours = Annotated[
    dict[Weekday, Annotated[list[SpanIO], Field(max_length=6)]],
    Field(
        description="Opening spans per weekday in the calendar's time zone; a day left out is closed",
        examples=[{"monday": [{"start": "08:00", "end": "16:00"}]}],
    ),
    AfterValidator(_check_week),
]


class HolidaysIO(InputModel):
    """Public holidays from the `holidays` library; `categories` ["public", "optional"] adds,
    for the Netherlands, Liberation Day in the years it is not a national day off."""

    country: str = Field(pattern=r"^[A-Z]{2}$", examples=["BE"])
    subdivision: str | None = Field(default=None, max_length=40, examples=["Flemish"])
    categories: list[str] = Field(default=["public"], min_length=1, max_length=4)

    @field_validator("categories")
    @classmethod
    def _known(cls, categories: list[str]) -> list[str]:
        if len(set(categories)) != len(categories):
            raise ValueError("categories are listed once each")
        return categories

    def rule(self) -> HolidayRule:
        return HolidayRule(self.country, self.subdivision, tuple(self.categories))


def _check_holidays(value: HolidaysIO | None) -> HolidaysIO | None:
    if value is not None:
        value.rule()  # raises ValueError naming what the library lacks
    return value


class ClosingDayIO(InputModel):
    date: date
    reason: str = Field(min_length=1, max_length=200)


class YearlyClosingDayIO(InputModel):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    reason: str = Field(min_length=1, max_length=200, examples=["Day of the Flemish Community"])

    @model_validator(mode="after")
    def _exists(self) -> YearlyClosingDayIO:
        date(2024, self.month, self.day)  # a leap year: 29 February passes, 31 April does not
        return self


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, KeyError) as exc:
        raise ValueError(f"no IANA time zone {value!r}") from exc
    return value


TimeZone = Annotated[
    str, Field(min_length=1, max_length=60, examples=["Europe/Brussels"]), AfterValidator(_zone)
]
HolidaysField = Annotated[HolidaysIO | None, AfterValidator(_check_holidays)]


class CalendarIn(InputModel):
    code: Code
    name: Names
    time_zone: TimeZone
    weekly_hours: WeeklyHours
    holidays: HolidaysField = None
    closing_days: list[ClosingDayIO] = Field(default_factory=list, max_length=400)
    yearly_closing_days: list[YearlyClosingDayIO] = Field(default_factory=list, max_length=60)

    @field_validator("weekly_hours")
    @classmethod
    def _open_some_day(cls, week: dict[Weekday, list[SpanIO]]) -> dict[Weekday, list[SpanIO]]:
        return _open_some_day(week)


def _open_some_day(week: dict[Weekday, list[SpanIO]]) -> dict[Weekday, list[SpanIO]]:
    if not any(week.values()):
        raise ValueError("a calendar is open at least one day a week")
    return week


class CalendarPatch(PatchModel):
    clearable = frozenset({"holidays"})

    name: Names | None = None
    time_zone: TimeZone | None = None
    weekly_hours: WeeklyHours | None = None
    holidays: HolidaysField = None
    closing_days: list[ClosingDayIO] | None = Field(default=None, max_length=400)
    yearly_closing_days: list[YearlyClosingDayIO] | None = Field(default=None, max_length=60)

    @field_validator("weekly_hours")
    @classmethod
    def _open_some_day(
        cls, week: dict[Weekday, list[SpanIO]] | None
    ) -> dict[Weekday, list[SpanIO]] | None:
        return week if week is None else _open_some_day(week)


class SpanOut(OutputModel):
    start: str
    end: str


class HolidaysOut(OutputModel):
    country: str
    subdivision: str | None
    categories: list[str]


class ClosingDayOut(OutputModel):
    date: date
    reason: str


class YearlyClosingDayOut(OutputModel):
    month: int
    day: int
    reason: str


class CalendarOut(OutputModel):
    id: uuid.UUID
    code: str
    name: dict[str, str]
    time_zone: str
    weekly_hours: dict[str, list[SpanOut]]
    holidays: HolidaysOut | None
    closing_days: list[ClosingDayOut]
    yearly_closing_days: list[YearlyClosingDayOut]
    version: int
    created_at: datetime
    updated_at: datetime


class ChannelIO(InputModel):
    channel: Channel
    address: str = Field(
        min_length=1,
        max_length=300,
        description="Where to reach it: a URL, an e-mail address or a phone number",
        examples=["+32 3 000 00 00"],
    )
    hours: WeeklyHours | None = Field(
        default=None, description="When the channel answers (phone); null: the calendar's hours"
    )


class LevelIO(InputModel):
    """A promise for one priority, in business minutes of the service's calendar."""

    priority: Priority
    first_response_minutes: int = Field(ge=1, le=60 * 24 * 60)
    resolution_minutes: int = Field(ge=1, le=60 * 24 * 120)

    @model_validator(mode="after")
    def _ordered(self) -> LevelIO:
        if self.resolution_minutes < self.first_response_minutes:
            raise ValueError("resolution_minutes is at least first_response_minutes")
        return self


def _every_priority_once(levels: list[LevelIO]) -> list[LevelIO]:
    named = sorted(level.priority for level in levels)
    if named != sorted(PRIORITIES):
        raise ValueError(f"one level for each priority: {', '.join(PRIORITIES)}")
    return sorted(levels, key=lambda level: PRIORITIES.index(level.priority))


Levels = Annotated[
    list[LevelIO], Field(min_length=4, max_length=4), AfterValidator(_every_priority_once)
]
Categories = Annotated[
    list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]],
    Field(max_length=50, description="Ticket categories of the service", examples=[["e-books"]]),
]


class ServiceIn(InputModel):
    code: Code
    kind: ServiceKind
    product_id: uuid.UUID | None = Field(
        default=None, description="The catalogue's product id (licensed_product only)"
    )
    name: Names
    description: Descriptions = Field(default_factory=dict)
    calendar_id: uuid.UUID
    categories: Categories = Field(default_factory=list)
    channels: list[ChannelIO] = Field(min_length=1, max_length=10)
    levels: Levels
    active: bool = True

    @model_validator(mode="after")
    def _product_for_licensed(self) -> ServiceIn:
        if (self.kind == "licensed_product") != (self.product_id is not None):
            raise ValueError("product_id is given for a licensed_product, and only for one")
        return self


class ServicePatch(PatchModel):
    name: Names | None = None
    description: Descriptions | None = None
    calendar_id: uuid.UUID | None = None
    categories: Categories | None = None
    channels: list[ChannelIO] | None = Field(default=None, min_length=1, max_length=10)
    levels: Levels | None = None
    active: bool | None = None


class ChannelOut(OutputModel):
    channel: str
    address: str
    hours: dict[str, list[SpanOut]] | None


class LevelOut(OutputModel):
    priority: str
    first_response_minutes: int
    resolution_minutes: int


class ServiceOut(OutputModel):
    id: uuid.UUID
    code: str
    kind: str
    product_id: uuid.UUID | None
    name: dict[str, str]
    description: dict[str, str]
    calendar_id: uuid.UUID
    categories: list[str]
    channels: list[ChannelOut]
    levels: list[LevelOut]
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ServiceQuery(PageQuery):
    active: bool | None = Field(None, description="Only active (true) or retired (false) services")
