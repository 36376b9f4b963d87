"""Request and response bodies of sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from training.vocabulary import HttpUrl, IsoDay, IsoTime, Language, Slug

Track = Literal["starter", "in-depth"]
SessionFormat = Literal["webinar", "classroom", "hybrid"]
SessionStatus = Literal["scheduled", "cancelled", "completed"]
Mode = Literal["in_person", "online"]
MAX_SEATS = 10_000

LOCAL_TIME = (
    "Wall-clock time in `time_zone` (`2027-01-14T10:00`); a time with an offset is taken as it is"
)


class VenueIn(InputModel):
    name: str = Field(min_length=1, max_length=200, examples=["Deichman Bjørvika"])
    address: str = Field(default="", max_length=300)
    city: str = Field(min_length=1, max_length=100, examples=["Oslo"])
    country: str = Field(default="", max_length=2, pattern=r"^([A-Z]{2})?$", examples=["NO"])


class VenueOut(OutputModel):
    name: str
    address: str
    city: str
    country: str


class CapacityIn(InputModel):
    in_person: int | None = Field(default=None, ge=1, le=MAX_SEATS)
    online: int | None = Field(default=None, ge=1, le=MAX_SEATS)


class SeatsOut(OutputModel):
    mode: str
    capacity: int
    confirmed: int
    available: int


class SessionIn(InputModel):
    course_id: uuid.UUID
    track: Track | None = Field(
        default=None, description="Starter or in-depth calendar; by default from the course level"
    )
    title: str | None = Field(
        default=None, min_length=1, max_length=300, description="The course's title by default"
    )
    starts_at: IsoTime = Field(description=LOCAL_TIME)
    ends_at: IsoTime = Field(description=LOCAL_TIME)
    time_zone: str = Field(min_length=1, max_length=64, examples=["Europe/Oslo"])
    format: SessionFormat
    venue: VenueIn | None = None
    online_url: HttpUrl | None = None
    capacity: CapacityIn
    language: Language
    trainer_name: str = Field(min_length=1, max_length=200)
    trainer_subject: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The trainer's login; the caller's by default",
    )
    registration_opens_at: IsoTime | None = Field(
        default=None, description=LOCAL_TIME + "; now by default"
    )
    registration_closes_at: IsoTime | None = Field(
        default=None, description=LOCAL_TIME + "; the start by default"
    )
    notes: str = Field(default="", max_length=5000)


class SessionPatch(PatchModel):
    """Fields to change. Times are wall-clock times in the session's (new) time zone.
    `status` cancels or completes the session."""

    clearable = frozenset({"venue", "online_url"})

    title: str | None = Field(default=None, min_length=1, max_length=300)
    starts_at: IsoTime | None = None
    ends_at: IsoTime | None = None
    time_zone: str | None = Field(default=None, min_length=1, max_length=64)
    venue: VenueIn | None = None
    online_url: HttpUrl | None = None
    capacity: CapacityIn | None = None
    language: Language | None = None
    trainer_name: str | None = Field(default=None, min_length=1, max_length=200)
    registration_opens_at: IsoTime | None = None
    registration_closes_at: IsoTime | None = None
    status: Literal["cancelled", "completed"] | None = None
    notes: str | None = Field(default=None, max_length=5000)


class SessionOut(OutputModel):
    id: uuid.UUID
    course_id: uuid.UUID
    track: str
    title: str
    starts_at: datetime = Field(description="In UTC")
    ends_at: datetime = Field(description="In UTC")
    local_start: datetime = Field(description="In the session's time zone, with its offset")
    local_end: datetime
    time_zone: str
    format: str
    venue: VenueOut | None
    online_url: str | None
    seats: list[SeatsOut]
    language: str
    trainer_name: str
    trainer_subject: str
    registration_opens_at: datetime
    registration_closes_at: datetime
    status: str
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime


class SessionQuery(PageQuery):
    course_id: uuid.UUID | None = None
    topic: Slug | None = Field(None, description="The topic's slug")
    track: Track | None = None
    format: SessionFormat | None = None
    lang: Language | None = None
    status: SessionStatus | None = None
    starts_from: IsoDay | None = Field(None, description="Sessions starting on or after (UTC)")
    starts_before: IsoDay | None = Field(None, description="Sessions starting before (UTC)")
