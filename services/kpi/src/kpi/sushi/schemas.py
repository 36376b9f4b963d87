"""Bodies of SUSHI endpoints: what is saved (credentials in, never out) and each month's harvest."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints

from chassis.schemas import OutputModel

Credential = Annotated[SecretStr, Field(min_length=1, max_length=200)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class SushiEndpointIn(BaseModel):
    """A product's SUSHI endpoint; saving it again replaces it (credentials included)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(
        max_length=500,
        description=(
            "The SUSHI server's base URL (reports at <base_url>/reports/<report>): https, and "
            "its host must resolve to public addresses only"
        ),
        examples=["https://sushi.vendor.example/counter/r51"],
    )
    customer_id: Credential = Field(description="The customer's id at the vendor (kept secret)")
    requestor_id: Credential | None = Field(None, description="Kept secret; never returned")
    api_key: Credential | None = Field(None, description="Kept secret; never returned")
    report_id: Literal["PR", "DR", "TR", "IR"] = Field(
        "PR", description="The report fetched each month"
    )
    organisation: str | None = Field(
        None,
        max_length=40,
        description="Whose usage: a library's ISIL, or a municipality or county number",
    )
    harvest_from: Month = Field(description="The first month harvested", examples=["2024-01"])
    active: bool = True


class SushiEndpointOut(OutputModel):
    product_id: uuid.UUID
    base_url: str
    report_id: str
    organisation_id: uuid.UUID | None
    harvest_from: date
    # The names of the credentials saved (their values are never returned).
    credentials: list[str] = Field(examples=[["api_key", "customer_id", "requestor_id"]])
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class SushiHarvestOut(OutputModel):
    product_id: uuid.UUID
    month: date
    status: Literal["pending", "done", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    usage_report_id: uuid.UUID | None
    updated_at: datetime
