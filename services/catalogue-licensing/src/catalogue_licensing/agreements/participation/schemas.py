"""Request and response bodies of a county's participation in an agreement."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from catalogue_licensing.agreements.schemas import MAX_LIBRARIES_PER_PARTICIPATION, Isil
from chassis.schemas import InputModel, OutputModel


class ParticipationIn(InputModel):
    libraries: list[Isil] = Field(
        min_length=1,
        max_length=MAX_LIBRARIES_PER_PARTICIPATION,
        description="ISILs of the county's libraries and schools that take part; withdraw the "
        "whole participation with DELETE",
        examples=[["NO-2030000"]],
    )


class ParticipationOut(OutputModel):
    agreement_id: uuid.UUID
    county_number: str
    libraries: list[str] = Field(description="ISILs, sorted")
    version: int
    updated_by: str
    updated_at: datetime
