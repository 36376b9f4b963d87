"""Bodies of roll-ups."""

from __future__ import annotations

import uuid
from typing import Literal

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


MAX_SERIES_ORGANISATIONS = 10
MAX_SERIES_PERIODS = 120


class SeriesQuery(BaseModel):
    indicator: str = Field(max_length=64, description="The indicator's code")
    organisations: str = Field(
        max_length=400,
        description="Up to 10 organisations, comma-separated: ids, ISILs, municipality or county numbers",
        examples=["NO-2180400,county:18"],
    )
    period: str = Field(max_length=8, description="The span, ISO 8601: 2025, 2025-Q1 …")
    per: Literal["year", "quarter", "month", "week"] | None = Field(
        None, description="The series' step (default: the indicator's periodicity)"
    )


class SeriesOut(OutputModel):
    indicator: str
    rule: str
    items: list[RollupOut] = Field(description="Per organisation, its periods in order")


class YearOnYearQuery(BaseModel):
    indicator: str = Field(max_length=64, description="The indicator's code")
    organisation: str = Field(max_length=40, description="The organisation (id or natural code)")
    period: str = Field(max_length=8, description="The period to compare with a year before it")


class YearOnYearOut(OutputModel):
    indicator: str
    organisation: str
    current: RollupOut
    previous: RollupOut = Field(description="The same period a year earlier")
    change: float | None = Field(description="current minus previous; null when either is unknown")
    change_percent: float | None = Field(
        description="The change in % of the previous; null when it is unknown or zero"
    )
