"""Request and response bodies of registrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel
from training.sessions.schemas import Mode

RegistrationStatus = Literal["confirmed", "waiting", "cancelled"]


class RegistrationIn(InputModel):
    mode: Mode | None = Field(
        default=None,
        description="In person or online; required for a hybrid session, else its only way",
    )


class AttendanceIn(InputModel):
    attended: bool


class RegistrationOut(OutputModel):
    id: uuid.UUID
    session_id: uuid.UUID
    mode: str
    person: str
    isil: str | None
    arrival: int = Field(description="Order in which the registration was counted (1 = first)")
    status: str
    waiting_position: int | None = Field(description="1 = next to be promoted; None unless waiting")
    attended: bool | None
    registered_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    version: int


class RegistrationQuery(PageQuery):
    session_id: uuid.UUID | None = None
    status: RegistrationStatus | None = None
    person: str | None = Field(None, min_length=1, max_length=200, description="Trainers only")
