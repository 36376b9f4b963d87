"""Which active products reach a library, and the public listing, rendered in one language."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.agreements.models import (
    Agreement,
    Participation,
    participation_libraries,
)
from catalogue_licensing.catalogue.language import pick
from catalogue_licensing.directory.errors import LibraryNotFound
from catalogue_licensing.directory.isil import isil_key
from catalogue_licensing.directory.models import Library, Municipality
from catalogue_licensing.products.models import Product
from catalogue_licensing.vendors.models import Vendor

ACTIVE = "active"


@dataclass(frozen=True)
class Filters:
    """The catalogue's filters; None means "any". Hashable: part of the cache key."""

    category: str | None = None
    audience: str | None = None
    home_use: bool | None = None

    def admit(self, product: Product) -> bool:
        if self.category is not None and product.category != self.category:
            return False
        if self.audience is not None and self.audience not in (product.audiences or []):
            return False
        if self.home_use is not None:
            available = bool((product.home_use or {}).get("available", False))
            if available is not self.home_use:
                return False
        return True


@dataclass(frozen=True)
class Offered:
    product: Product
    vendor_name: str
    available_until: date | None


async def library_by_isil(session: AsyncSession, isil: str) -> Library:
    library = await session.scalar(select(Library).where(Library.isil_key == isil_key(isil)))
    if library is None:
        raise LibraryNotFound(f"No library with ISIL {isil}")
    return library


async def products_for_library(
    session: AsyncSession, *, library: Library, today: date
) -> list[Offered]:
    """Active products of current agreements in whose participation this library takes part.

    The participation must be its county's: a library moved to another county's municipality
    no longer gets what its old county's participation brought.
    """
    rows = await session.execute(
        select(Product, Vendor.name, Agreement.period_end)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .join(Agreement, Agreement.product_id == Product.id)
        .join(Participation, Participation.agreement_id == Agreement.id)
        .join(
            participation_libraries,
            participation_libraries.c.participation_id == Participation.id,
        )
        .join(Library, Library.id == participation_libraries.c.library_id)
        .join(Municipality, Municipality.id == Library.municipality_id)
        .where(
            Library.id == library.id,
            Participation.county_id == Municipality.county_id,
            Agreement.period_start <= today,
            Agreement.period_end >= today,
            Product.status == ACTIVE,
        )
    )
    # One product may come through several agreements: show it once, until the latest end.
    offered: dict[uuid.UUID, Offered] = {}
    for product, vendor_name, period_end in rows:
        known = offered.get(product.id)
        if known is None or (known.available_until or period_end) < period_end:
            offered[product.id] = Offered(product, vendor_name, period_end)
    return list(offered.values())


async def active_products(session: AsyncSession) -> list[Offered]:
    rows = await session.execute(
        select(Product, Vendor.name)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(Product.status == ACTIVE)
    )
    return [Offered(product, vendor_name, None) for product, vendor_name in rows]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def render_product(offered: Offered, language: str) -> dict[str, Any]:
    """One product as the catalogue shows it: every multilingual text in `language` or its
    fallback (the stored JSON is validated on write; missing parts read as absent, not errors)."""
    product = offered.product
    access = _dict(product.access)
    home_use = _dict(product.home_use)
    sharing = _dict(product.sharing)
    contact = _dict(product.contact)
    rendered: dict[str, Any] = {
        "id": str(product.id),
        "name": pick(product.name, language),
        "description": pick(product.description, language),
        "vendor_name": offered.vendor_name,
        "category": product.category,
        "audiences": list(product.audiences or []),
        "content_languages": list(product.content_languages or []),
        "access": {
            "methods": list(access.get("methods") or []),
            "steps": pick(_dict(access.get("steps")), language),
            "launch_url": access.get("launch_url"),
        },
        "home_use": {
            "available": bool(home_use.get("available", False)),
            "terms": pick(_dict(home_use.get("terms")), language),
        },
        "sharing": {
            "allowed": bool(sharing.get("allowed", False)),
            "terms": pick(_dict(sharing.get("terms")), language),
        },
        "contact": {
            "name": contact.get("name"),
            "email": contact.get("email"),
            "phone": contact.get("phone"),
            "opening_hours": pick(_dict(contact.get("opening_hours")), language),
            "url": contact.get("url"),
        },
        "logo_url": product.logo_url,
    }
    if offered.available_until is not None:
        rendered["available_until"] = offered.available_until.isoformat()
    return rendered


def render_items(
    offered: Iterable[Offered], *, language: str, filters: Filters
) -> Sequence[dict[str, Any]]:
    items = [render_product(o, language) for o in offered if filters.admit(o.product)]
    # By the name the reader sees, case-insensitively; the id keeps equal names in a fixed order.
    items.sort(key=lambda item: ((item["name"] or "").casefold(), item["id"]))
    return items
