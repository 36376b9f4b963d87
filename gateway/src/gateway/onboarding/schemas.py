"""Bodies of client onboarding: what a programme administrator sends and reads; a secret only in
the answer that creates it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel
from gateway.clients import GRACE_MAX, NAME_MAX_LENGTH
from gateway.scopes import ISIL_MAX_LENGTH

# The roles a programme administrator may give a client through the API. Its own role and the
# operator's stay with the command line (an operator's database access): otherwise an API
# caller could mint itself a second, unaudited identity with the same or wider rights.
ApiRole = Literal[
    "county_admin", "vendor", "library", "staff", "trainer", "agent", "analyst", "partner"
]
API_ROLES: frozenset[str] = frozenset(ApiRole.__args__)  # type: ignore[attr-defined]
Status = Literal["active", "revoked"]


class ClientIn(InputModel):
    name: str = Field(
        min_length=1, max_length=NAME_MAX_LENGTH, examples=["Nordlys Lydbok integration"]
    )
    role: ApiRole = Field(examples=["vendor"])
    county: str | None = Field(
        None,
        max_length=2,
        description="The county number, for a county_admin",
        examples=["03"],
    )
    vendor_id: str | None = Field(
        None,
        max_length=36,
        description="The catalogue's vendor id, for a vendor; it must exist in the catalogue",
        examples=["0193a5c2-7b4e-7d21-9f3a-2c6e8b1d4f70"],
    )
    isil: str | None = Field(
        None,
        max_length=ISIL_MAX_LENGTH,
        description="The library's ISIL, for a library or staff; it must exist in the catalogue",
        examples=["NO-2030000"],
    )


class ClientOut(OutputModel):
    client_id: str = Field(examples=["nordlys-lydbok-integration-3f9a0c1b2d4e"])
    name: str
    role: str
    county: str | None
    vendor_id: uuid.UUID | None
    isil: str | None
    status: Status
    created_at: datetime
    revoked_at: datetime | None
    previous_secret_until: datetime | None = Field(
        description="After a rotation with a grace period: the old secret works until then"
    )
    version: int = Field(description="The client's version; its ETag is this number in quotes")


class ClientSecretOut(ClientOut):
    client_secret: str = Field(
        description="Shown only in this answer; the gateway keeps only its hash",
        json_schema_extra={"format": "password"},
    )


class RotationIn(InputModel):
    grace_seconds: int = Field(
        0,
        ge=0,
        le=int(GRACE_MAX.total_seconds()),
        description="How long the old secret keeps working (0: it stops at once)",
    )


class ClientQuery(PageQuery):
    role: str | None = Field(None, max_length=32, description="Only clients of this role")
    status: Status | None = Field(None, description="Only active or only revoked clients")
