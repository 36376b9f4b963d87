"""Response bodies of the public catalogue: products with their four answers in one language."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from chassis.schemas import OutputModel


class Access(OutputModel):
    methods: list[str] = Field(description="library_card, feide, ip_range, vendor_account ...")
    steps: str | None = Field(description="How to get in, step by step")
    launch_url: str | None = Field(description="Where to send patrons to start using it")


class HomeUse(OutputModel):
    available: bool = Field(description="Whether it can be used away from the library")
    terms: str | None


class Sharing(OutputModel):
    allowed: bool = Field(description="Whether it may be shared with other libraries")
    terms: str | None


class Contact(OutputModel):
    name: str | None
    email: str | None
    phone: str | None
    opening_hours: str | None
    url: str | None


class CatalogueProduct(OutputModel):
    id: uuid.UUID
    name: str | None
    description: str | None
    vendor_name: str
    category: str
    audiences: list[str]
    content_languages: list[str]
    access: Access
    home_use: HomeUse
    sharing: Sharing
    contact: Contact
    logo_url: str | None = Field(description="The product's logo (https)")


class LibraryCatalogueItem(CatalogueProduct):
    available_until: date = Field(
        description="Last day of the latest current agreement that brings it to this library"
    )


class LibraryRef(OutputModel):
    isil: str
    name: str


class LibraryCatalogue(OutputModel):
    library: LibraryRef
    language: str = Field(
        description="The language the texts were chosen in (also Content-Language)"
    )
    items: list[LibraryCatalogueItem] = Field(description="Ordered by name, then id")


class ProductListing(OutputModel):
    language: str = Field(
        description="The language the texts were chosen in (also Content-Language)"
    )
    items: list[CatalogueProduct] = Field(
        description="Every active product that matches the filters, ordered by name, then id"
    )


class CatalogueLabels(OutputModel):
    language: str = Field(description="The labels' language: nb, nn, en or nl")
    languages: list[str] = Field(description="Every language the labels exist in")
    category: dict[str, str] = Field(description="A product's `category` code -> its label")
    audience: dict[str, str] = Field(description="An `audiences` code -> its label")
    access_method: dict[str, str] = Field(description="An `access.methods` code -> its label")
    content_language: dict[str, str] = Field(
        description="A `content_languages` code -> its label (codes not listed have none)"
    )
