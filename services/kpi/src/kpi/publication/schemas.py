"""Bodies of datasets and their data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel
from kpi.indicators.schemas import IndicatorCode

Audience = Literal["public", "partners", "internal"]
DatasetStatus = Literal["draft", "published", "withdrawn"]
CellStatus = Literal["shown", "suppressed", "no_data"]

MAX_INDICATORS = 20
MAX_ORGANISATIONS = 50
MAX_PERIODS = 120
MAX_CELLS = 5000

OrganisationRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40),
    Field(description="An organisation's id, ISIL, or municipality or county number"),
]
PeriodText = Annotated[
    str,
    StringConstraints(min_length=4, max_length=8),
    Field(description="ISO 8601: YYYY, YYYY-Qn, YYYY-MM, YYYY-Www", examples=["2025-03"]),
]


class DatasetIn(InputModel):
    name: str = Field(min_length=1, max_length=200, examples=["Loans in Nordland, 2025"])
    description: str | None = Field(None, max_length=2000)
    audience: Audience = Field(
        description="public: anyone, small numbers hidden; partners: partners and the "
        "consortium's staff; internal: the consortium's staff"
    )
    indicators: list[IndicatorCode] = Field(min_length=1, max_length=MAX_INDICATORS)
    organisations: list[OrganisationRef] = Field(min_length=1, max_length=MAX_ORGANISATIONS)
    periods: list[PeriodText] = Field(min_length=1, max_length=MAX_PERIODS)


class DatasetOut(OutputModel):
    id: uuid.UUID
    name: str
    description: str | None
    audience: Audience
    status: DatasetStatus
    indicators: list[str]
    organisations: list[uuid.UUID]
    periods: list[str]
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    withdrawn_at: datetime | None


class DatasetQuery(PageQuery):
    status: DatasetStatus | None = Field(None, description="Only datasets in this state")
    audience: Audience | None = Field(None, description="Only datasets for this audience")


class CellOut(OutputModel):
    indicator: str
    organisation_id: uuid.UUID
    organisation: str = Field(description="The organisation's natural code")
    organisation_name: str
    period: str
    value: float | None = Field(description="null when suppressed or when there is no figure")
    status: CellStatus = Field(
        description="shown; suppressed (a small number, or one that would reveal one); no_data"
    )


class DatasetDataOut(OutputModel):
    dataset_id: uuid.UUID
    name: str
    audience: Audience
    suppressed: bool = Field(description="Whether small numbers were hidden (public datasets)")
    items: list[CellOut] = Field(description="Per indicator, organisation, then period")
