"""Request and response bodies of indicators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from kpi.languages import Descriptions, Names

IndicatorCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$"),
    Field(description="Lower case letters, digits and _, 2 to 64", examples=["loans"]),
]


# count (whole, not negative), amount (money), ratio, duration (seconds).
ValueType = Literal["count", "amount", "ratio", "duration"]


class Rollup(StrEnum):
    """How figures of smaller organisations or shorter periods combine."""

    sum = "sum"
    # Sum the numerator and the denominator, then divide: never the mean of ratios.
    ratio = "ratio"
    weighted_mean = "weighted_mean"
    # The last period's figure (a stock, such as licensed products).
    last = "last"
    # Distinct counts (active members): not summed; known only where observed.
    distinct = "distinct"


class Periodicity(StrEnum):
    year = "year"
    quarter = "quarter"
    month = "month"
    week = "week"


class Source(StrEnum):
    entered = "entered"
    harvested = "harvested"
    counter = "counter"
    directory = "directory"
    derived = "derived"


Unit = Annotated[str, StringConstraints(min_length=1, max_length=60), Field(examples=["loans"])]
IsoReference = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(examples=["ISO 2789:2022, loans"]),
]
Threshold = Annotated[int, Field(ge=1, le=1000, description="Hide public cells below this")]


class IndicatorIn(InputModel):
    code: IndicatorCode
    name: Names
    description: Descriptions = Field(default_factory=dict)
    unit: Unit
    value_type: ValueType
    rollup: Rollup
    numerator: IndicatorCode | None = Field(None, description="A ratio's numerator indicator")
    denominator: IndicatorCode | None = Field(None, description="A ratio's denominator indicator")
    weight: IndicatorCode | None = Field(None, description="A weighted mean's weight indicator")
    periodicity: Periodicity
    source: Source
    iso_reference: IsoReference | None = None
    suppression_threshold: Threshold | None = None


class IndicatorPatch(PatchModel):
    """Fields to change; the code, value type and roll-up rule are fixed once figures exist."""

    clearable = frozenset({"iso_reference", "suppression_threshold"})

    name: Names | None = None
    description: Descriptions | None = None
    unit: Unit | None = None
    source: Source | None = None
    iso_reference: IsoReference | None = None
    suppression_threshold: Threshold | None = None


class IndicatorOut(OutputModel):
    code: str
    name: dict[str, str]
    description: dict[str, str]
    unit: str
    value_type: ValueType
    rollup: Rollup
    numerator: str | None
    denominator: str | None
    weight: str | None
    periodicity: Periodicity
    source: Source
    iso_reference: str | None
    suppression_threshold: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class IndicatorQuery(PageQuery):
    source: Source | None = Field(None, description="Only indicators from this source")
