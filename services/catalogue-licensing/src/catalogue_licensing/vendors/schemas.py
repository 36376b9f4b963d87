"""Request and response bodies of vendors; the e-mail and phone shapes products reuse."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from catalogue_licensing.vendors.org_number import OrgNumber
from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel

MAX_CONTACTS = 20

# A deliberately plain shape (local@domain.tld, bounded): delivery is the real test of an
# address, and a stricter pattern would refuse valid ones.
Email = Annotated[
    str,
    Field(
        max_length=254,
        pattern=r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
        examples=["support@example.no"],
    ),
]
Phone = Annotated[
    str,
    Field(pattern=r"^\+?[0-9][0-9 ()\-]{3,29}$", examples=["+47 22 00 00 00"]),
]


class ContactIn(InputModel):
    name: str = Field(min_length=1, max_length=200)
    email: Email
    phone: Phone | None = None
    role: str | None = Field(
        default=None, min_length=1, max_length=100, examples=["sales", "support", "technical"]
    )


class ContactOut(OutputModel):
    name: str
    email: str
    phone: str | None
    role: str | None


class VendorIn(InputModel):
    name: str = Field(min_length=1, max_length=200, examples=["Nordlys Lydbøker AS"])
    org_number: OrgNumber
    contacts: list[ContactIn] = Field(default_factory=list, max_length=MAX_CONTACTS)


class VendorPatch(PatchModel):
    """Fields to change. A vendor may change its own contacts only; the rest is the programme's."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    org_number: OrgNumber | None = None
    contacts: list[ContactIn] | None = Field(default=None, max_length=MAX_CONTACTS)


class VendorOut(OutputModel):
    id: uuid.UUID
    name: str
    org_number: str
    contacts: list[ContactOut]
    version: int
    created_at: datetime
    updated_at: datetime


class VendorQuery(PageQuery):
    name: str | None = Field(
        None, min_length=1, max_length=200, description="Part of the vendor's name"
    )
