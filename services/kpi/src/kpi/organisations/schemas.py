"""Request and response bodies of organisations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel

Level = Literal["library", "municipality", "county", "country"]
# Each level's parent level (a country has none).
PARENT_LEVEL: dict[str, str] = {
    "library": "municipality",
    "municipality": "county",
    "county": "country",
}
# ISIL (ISO 15511): a country or agency prefix, a hyphen, up to 11 more characters.
ISIL_PATTERN = r"^[A-Z]{1,4}-[A-Za-z0-9:/\-]{1,11}$"
NUMBER_PATTERN = r"^[A-Z0-9]{1,16}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
CODE_PATTERNS: dict[str, str] = {
    "library": ISIL_PATTERN,
    "municipality": NUMBER_PATTERN,
    "county": NUMBER_PATTERN,
    "country": COUNTRY_PATTERN,
}

Name = Annotated[str, StringConstraints(min_length=1, max_length=200), Field(examples=["Bodø"])]
NaturalCode = Annotated[
    str,
    StringConstraints(min_length=1, max_length=16),
    Field(
        description=(
            "ISIL for a library; for a municipality or county (province) Norway's number "
            "(leading zeros kept), Belgium's NIS code (44021, 40000) or the Netherlands' CBS "
            "code (GM0106, PV22); ISO 3166-1 alpha-2 for a country"
        ),
        examples=["NO-2030000", "1804", "18", "44021", "GM0106", "NO"],
    ),
]
Year = Annotated[int, Field(ge=1900, le=2100)]


class OrganisationIn(InputModel):
    level: Level
    code: NaturalCode
    name: Name
    parent_id: uuid.UUID | None = Field(
        None, description="The organisation one level up (none for a country)"
    )


class OrganisationPatch(PatchModel):
    name: Name | None = None


class PopulationIn(InputModel):
    population: int = Field(ge=0, le=2_000_000_000, description="Residents on 1 January")


class PopulationOut(OutputModel):
    year: int
    population: int


class OrganisationOut(OutputModel):
    id: uuid.UUID
    level: Level
    code: str
    country_code: str
    name: str
    parent_id: uuid.UUID | None
    county_code: str | None
    populations: list[PopulationOut]
    version: int
    created_at: datetime
    updated_at: datetime


class OrganisationQuery(PageQuery):
    level: Level | None = Field(None, description="Only organisations of this level")
    parent_id: uuid.UUID | None = Field(None, description="Only the children of this one")
    code: NaturalCode | None = Field(None, description="Only those with this natural code")
