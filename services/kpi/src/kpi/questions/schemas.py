"""Bodies of roll-ups."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from chassis.schemas import OutputModel


class RollupQuery(BaseModel):
    indicator: str = Field(max_length=64, description="The indicator's code")
    organisation: str = Field(
        max_length=40,
        description="The organisation: its id, ISIL, or municipality or county number",
    )
    period: str = Field(
        max_length=8, description="ISO 8601 period: YYYY, YYYY-Qn, YYYY-MM, YYYY-Www"
    )


class RollupOut(OutputModel):
    indicator: str
    rule: str
    organisation_id: uuid.UUID
    organisation: str
    period: str
    value: float | None = Field(description="null when it cannot be known: see `note`")
    numerator: float | None = Field(None, description="A ratio's rolled-up numerator")
    denominator: float | None = Field(None, description="A ratio's rolled-up denominator")
    note: str | None = None
