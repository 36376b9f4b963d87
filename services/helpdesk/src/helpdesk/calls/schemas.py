"""Request and response bodies of the phone log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel
from helpdesk.catalogue.schemas import Priority
from helpdesk.tickets.schemas import Isil

MAX_CALL_SECONDS = 4 * 3600


class CallTicketIn(InputModel):
    """The ticket a call turns into (channel phone, raised by the agent for the library)."""

    subject: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=10_000)
    priority: Priority = "normal"


class CallIn(InputModel):
    library_isil: Isil
    caller: str | None = Field(
        default=None, min_length=1, max_length=200, description="Who called (subject or name)"
    )
    service_id: uuid.UUID
    topic: str = Field(
        min_length=1,
        max_length=60,
        description="One of the service's categories",
        examples=["e-books"],
    )
    duration_seconds: int = Field(ge=0, le=MAX_CALL_SECONDS)
    outcome: Literal["solved", "ticket"]
    ticket_id: uuid.UUID | None = Field(default=None, description="An existing ticket to link")
    ticket: CallTicketIn | None = Field(default=None, description="A new ticket to raise")
    note: str | None = Field(default=None, min_length=1, max_length=2000)
    occurred_at: AwareDatetime | None = Field(default=None, description="When; default now")

    @model_validator(mode="after")
    def _outcome_and_ticket_agree(self) -> CallIn:
        linked = (self.ticket_id is not None) + (self.ticket is not None)
        if self.outcome == "ticket" and linked != 1:
            raise ValueError("a call turned into a ticket gives ticket_id or ticket, one of them")
        if self.outcome == "solved" and linked:
            raise ValueError("a call solved on the line links no ticket")
        return self


class CallOut(OutputModel):
    id: uuid.UUID
    library_isil: str
    caller: str | None
    service_id: uuid.UUID
    topic: str
    duration_seconds: int
    outcome: str
    ticket_id: uuid.UUID | None
    note: str | None
    agent: str
    occurred_at: datetime
    version: int
    created_at: datetime


class CallQuery(PageQuery):
    library_isil: Isil | None = None
    service_id: uuid.UUID | None = None
    outcome: Literal["solved", "ticket"] | None = None
