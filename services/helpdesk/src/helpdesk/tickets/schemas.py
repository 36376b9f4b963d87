"""Request and response bodies of tickets and their comments."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from chassis.types import utcnow
from helpdesk.catalogue.schemas import Channel, Priority
from helpdesk.tickets.states import State

Isil = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}-[A-Za-z0-9:/\-]{1,15}$", examples=["BE-ANT01"], max_length=20),
]
Tag = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]


def _unique_tags(tags: list[str]) -> list[str]:
    return sorted(set(tags))


Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(_unique_tags)]

# How far back an agent may say a request was received (a year: a ticket moved over from the
# desk's previous system keeps its own time), and how far ahead a clock may run.
RECEIVED_WITHIN_DAYS = 366
CLOCK_SKEW = timedelta(minutes=1)


def _received_in_the_past(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    now = utcnow()
    if value > now + CLOCK_SKEW:
        raise ValueError("is in the future")
    if value < now - timedelta(days=RECEIVED_WITHIN_DAYS):
        raise ValueError(f"is more than {RECEIVED_WITHIN_DAYS} days ago")
    return value


class TicketIn(InputModel):
    """A new ticket. Staff raise it for their own library; an agent names the library."""

    service_id: uuid.UUID
    category: str | None = Field(default=None, min_length=1, max_length=60)
    priority: Priority = "normal"
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10_000)
    channel: Channel = "portal"
    library_isil: Isil | None = Field(
        default=None, description="The library it is for: required from an agent, else the token's"
    )
    requester: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="An agent raising it for a staff member: that person's subject",
    )
    tags: Tags = Field(default_factory=list)
    received_at: Annotated[AwareDatetime | None, AfterValidator(_received_in_the_past)] = Field(
        default=None,
        description="When the request reached the desk, when an agent records it afterwards (an "
        "e-mail, a voicemail, a ticket from the previous system): its SLA clocks start then. "
        "An agent's only; with a time zone, not in the future, at most a year ago. Default: now",
        examples=["2026-05-22T15:30:00+02:00"],
    )


class TicketPatch(PatchModel):
    """What an agent changes: priority (re-targets the SLA clocks), assignment, category, tags."""

    clearable = frozenset({"assignee", "group", "category"})

    priority: Priority | None = None
    assignee: str | None = Field(default=None, min_length=1, max_length=200)
    group: str | None = Field(default=None, min_length=1, max_length=100)
    category: str | None = Field(default=None, min_length=1, max_length=60)
    tags: Tags | None = None


class MoveIn(InputModel):
    to: State = Field(description="The state to move to (see the transition table)")


class MergeIn(InputModel):
    into: uuid.UUID = Field(description="The ticket this one duplicates; it stays open")


class ClockOut(OutputModel):
    target_minutes: int
    due_at: datetime | None = Field(description="Null while paused: no due time can be said")
    stopped_at: datetime | None
    breached: bool


class TicketOut(OutputModel):
    id: uuid.UUID
    library_isil: str
    requester: str
    raised_by: str
    raised_by_agent: bool
    service_id: uuid.UUID
    category: str | None
    priority: str
    subject: str
    description: str
    channel: str
    state: str
    assignee: str | None
    group: str | None
    tags: list[str]
    merged_into: uuid.UUID | None
    reopen_count: int
    first_response: ClockOut
    resolution: ClockOut
    escalated_at: datetime | None
    closed_at: datetime | None
    allowed_moves: list[str] = Field(description="The states the caller may move it to now")
    satisfaction_asked: bool = Field(
        description="The requester may rate the help (resolved; not solved by an agent alone)"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class TicketQuery(PageQuery):
    state: State | None = None
    service_id: uuid.UUID | None = None
    library_isil: Isil | None = None
    assignee: str | None = Field(None, min_length=1, max_length=200)
    priority: Priority | None = None
    tag: Tag | None = None


class CommentIn(InputModel):
    body: str = Field(min_length=1, max_length=10_000)
    internal: bool = Field(default=False, description="An internal note (agents only)")


class CommentOut(OutputModel):
    id: uuid.UUID
    ticket_id: uuid.UUID
    author: str
    by_agent: bool
    visibility: Literal["public", "internal"]
    body: str
    created_at: datetime
