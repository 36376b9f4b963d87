"""Request and response bodies of the organisation directory."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from catalogue_licensing.directory.isil import Isil
from chassis.area_codes import any_form
from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel

LibraryKind = Literal["public", "school"]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["NO"])]
# Norway's numbers, Belgium's NIS codes, the Netherlands' CBS codes (chassis.area_codes).
AreaNumber = Annotated[str, Field(pattern=any_form("municipality"), examples=["0301"])]
Year = Annotated[int, Field(ge=1900, le=2200, examples=[2025])]
CountyFilter = Annotated[str | None, Field(pattern=any_form("county"))]
MunicipalityFilter = Annotated[str | None, Field(pattern=any_form("municipality"))]


class CountyQuery(PageQuery):
    country: CountryCode | None = Field(None, description="Only this country's")


class MunicipalityQuery(PageQuery):
    county: CountyFilter = Field(None, description="Only this county's (its number)")
    country: CountryCode | None = Field(None, description="Only this country's")


class LibraryQuery(PageQuery):
    country: CountryCode | None = Field(None, description="Only this country's")
    county: CountyFilter = Field(None, description="Only this county's (its number)")
    municipality: MunicipalityFilter = Field(
        None, description="Only this municipality's (its number)"
    )
    kind: LibraryKind | None = Field(None, description="Only public or only school")


class CountryOut(OutputModel):
    code: str = Field(examples=["BE"], description="ISO 3166-1 alpha-2")
    name: dict[str, str] = Field(
        examples=[{"nl": "België", "fr": "Belgique", "en": "Belgium"}],
        description="The country's names by language (BCP 47)",
    )


class PopulationOut(OutputModel):
    year: int = Field(description="Residents on 1 January of this year")
    population: int


class CountyOut(OutputModel):
    country: str = Field(examples=["NO"])
    number: str = Field(
        examples=["18"],
        description="The official number (Norway), NIS code (Belgium) or CBS code (the "
        "Netherlands); leading zeros matter",
    )
    name: dict[str, str] = Field(
        examples=[{"nb": "Nordland", "smj": "Nordlánnda"}],
        description="The official names by language (BCP 47)",
    )
    populations: list[PopulationOut] = Field(description="Oldest year first")
    version: int
    updated_at: datetime


class MunicipalityOut(OutputModel):
    country: str = Field(examples=["NO"])
    number: str = Field(examples=["0301"])
    name: str = Field(examples=["Oslo"])
    county: str = Field(description="The county's number", examples=["03"])
    merged_from: list[str] | None = Field(
        default=None,
        examples=[["71022", "73040"]],
        description="The numbers of the municipalities merged into this one (Flanders, 2025)",
    )
    populations: list[PopulationOut] = Field(description="Oldest year first")
    version: int
    updated_at: datetime


class LibraryOut(OutputModel):
    id: uuid.UUID
    isil: str = Field(examples=["NO-2030000"])
    name: str = Field(examples=["Deichmanske bibliotek"])
    kind: LibraryKind
    country: str = Field(examples=["NO"])
    municipality: str = Field(description="The municipality's number", examples=["0301"])
    county: str = Field(description="The county's number", examples=["03"])
    version: int
    created_at: datetime
    updated_at: datetime


class LibraryIn(InputModel):
    isil: Isil
    name: str = Field(min_length=1, max_length=200, examples=["Deichman Bjørvika"])
    kind: LibraryKind
    country: CountryCode = Field(default="NO", description="Country of the municipality")
    municipality: AreaNumber = Field(description="The municipality's number", examples=["0301"])


class LibraryPatch(PatchModel):
    """The fields to change; the ISIL is the library's identity and never changes."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: LibraryKind | None = None
    municipality: AreaNumber | None = Field(
        default=None, description="Move the library to this municipality of its country"
    )


class PopulationIn(InputModel):
    population: int = Field(ge=0, le=2_000_000_000, description="Residents on 1 January")
