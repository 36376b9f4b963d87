"""Request and response bodies of observations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel

Status = Literal["provisional", "final"]
PeriodText = Annotated[
    str,
    StringConstraints(min_length=4, max_length=8),
    Field(description="ISO 8601: YYYY, YYYY-Qn, YYYY-MM or YYYY-Www", examples=["2025-03", "2025"]),
]
OrganisationRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40),
    Field(
        description=(
            "The organisation's id, or its natural code: ISIL, municipality or county number "
            "(`county:18` where a number could name either)"
        ),
        examples=["NO-2030000", "1804", "county:18"],
    ),
]
Comment = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Value = Annotated[float, Field(allow_inf_nan=False, examples=[1234])]


class ObservationIn(InputModel):
    indicator: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    organisation: OrganisationRef
    period: PeriodText
    value: Value
    status: Status = "provisional"
    comment: Comment | None = None


class ObservationPatch(PatchModel):
    """A correction: the figure before it stays in the observation's history."""

    clearable = frozenset({"comment"})

    value: Value | None = None
    status: Status | None = None
    comment: Comment | None = None


class ObservationOut(OutputModel):
    id: uuid.UUID
    indicator: str
    organisation_id: uuid.UUID
    organisation: str = Field(description="The organisation's natural code")
    period: str
    period_start: date
    period_end: date
    value: float
    status: Status
    source: str
    comment: str | None
    version: int
    recorded_by: str
    recorded_at: datetime = Field(description="When this figure (this version) was recorded")


class RevisionOut(OutputModel):
    version: int
    value: float
    status: Status
    source: str
    comment: str | None
    recorded_by: str
    recorded_at: datetime


class ObservationQuery(PageQuery):
    indicator: str | None = Field(None, max_length=64, description="Only this indicator's")
    organisation: OrganisationRef | None = Field(None, description="Only this organisation's")
    period: PeriodText | None = Field(
        None, description="Only figures of periods inside this one (2025: its months too)"
    )
    status: Status | None = None
    as_of: date | None = Field(
        None, description="The figures as they stood at the end of this day (UTC)"
    )
