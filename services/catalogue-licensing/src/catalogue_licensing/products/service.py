"""Rules of products: a vendor owns its products, every change is audited and announced, and the
status only moves draft -> active -> retired."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.products.access import managed_products
from catalogue_licensing.products.errors import (
    FieldNotYoursToSet,
    MissingVendor,
    ProductIsRetired,
    ProductNotFound,
    StatusMoveNotAllowed,
    TokenVendorUnknown,
    UnknownVendor,
)
from catalogue_licensing.products.events import (
    ProductActivated,
    ProductCreated,
    ProductRetired,
    ProductUpdated,
)
from catalogue_licensing.products.models import Product
from catalogue_licensing.products.schemas import (
    ProductContent,
    ProductIn,
    ProductOut,
    ProductPatch,
)
from catalogue_licensing.products.sushi import SushiChecks
from catalogue_licensing.vendors.access import principal_vendor_id, sees_all_vendors
from catalogue_licensing.vendors.models import Vendor
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow

# The only moves; anything else (a skip, a step back, a repeat) is a 409.
NEXT_STATUS = {"draft": "active", "active": "retired"}
STATUS_EVENT = {"active": ProductActivated, "retired": ProductRetired}
CONTENT_FIELDS = tuple(ProductContent.model_fields)


def product_view(product: Product) -> ProductOut:
    return ProductOut.model_validate(product)


def _audited(product: Product) -> dict[str, Any]:
    return product_view(product).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at"}
    )


async def get_product(
    session: AsyncSession, *, principal: Principal, product_id: uuid.UUID
) -> Product:
    """The product if the caller may see it; another vendor's product is 404, as if absent."""
    product = await session.scalar(
        select(Product).where(Product.id == product_id, managed_products(principal))
    )
    if product is None:
        raise ProductNotFound(f"No product {product_id} that you may see")
    return product


async def list_products(
    session: AsyncSession,
    *,
    principal: Principal,
    status: str | None,
    vendor_id: uuid.UUID | None,
    category: str | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[Product]:
    query = select(Product).where(managed_products(principal)).order_by(Product.id).limit(limit)
    if vendor_id is not None:
        query = query.where(Product.vendor_id == vendor_id)
    if status is not None:
        query = query.where(Product.status == status)
    if category is not None:
        query = query.where(Product.category == category)
    if after is not None:
        query = query.where(Product.id > after)
    return (await session.scalars(query)).all()


async def _owning_vendor(session: AsyncSession, *, principal: Principal, body: ProductIn) -> Vendor:
    """The vendor a new product belongs to: the token's own for a vendor, the named one for the
    programme."""
    if not sees_all_vendors(principal):
        if body.vendor_id is not None:
            raise FieldNotYoursToSet(
                "vendor_id",
                "a vendor creates products for itself only; leave it out",
                detail="vendor_id: your token names your vendor; leave vendor_id out",
            )
        own = principal_vendor_id(principal)
        vendor = await session.get(Vendor, own) if own is not None else None
        if vendor is None:
            raise TokenVendorUnknown("Your token's vendor_id names no registered vendor")
        return vendor
    if body.vendor_id is None:
        raise MissingVendor(
            "vendor_id", "a programme administrator names the vendor the product belongs to"
        )
    vendor = await session.get(Vendor, body.vendor_id)
    if vendor is None:
        raise UnknownVendor("vendor_id", f"there is no vendor {body.vendor_id}")
    return vendor


async def create_product(
    session: AsyncSession,
    *,
    principal: Principal,
    body: ProductIn,
    sushi: SushiChecks,
    request_id: str | None,
    product_id: uuid.UUID | None = None,
) -> Product:
    """A new draft product; `product_id` lets the demo data give its products fixed ids."""
    vendor = await _owning_vendor(session, principal=principal, body=body)
    if body.procurement.sushi_url is not None:
        sushi.require(str(body.procurement.sushi_url))
    content = body.model_dump(mode="json", include=set(CONTENT_FIELDS))
    now = utcnow()
    product = Product(
        id=product_id or uuid7(),
        vendor_id=vendor.id,
        status="draft",
        **content,
        created_at=now,
        updated_at=now,
    )
    session.add(product)
    await session.flush()
    await trail.announce(
        session,
        ProductCreated(vendor_id=product.vendor_id, status="draft", category=body.category),
        principal=principal,
        change=Change("product", str(product.id), before=None, after=_audited(product)),
        subject=str(product.id),
        request_id=request_id,
    )
    return product


async def update_product(
    session: AsyncSession,
    *,
    principal: Principal,
    product: Product,
    body: ProductPatch,
    sushi: SushiChecks,
    request_id: str | None,
) -> Product:
    if product.status == "retired":
        raise ProductIsRetired(
            "A retired product is kept as it was; it can no longer be changed",
            extra={"current_status": product.status},
        )
    changes = body.sent()
    sushi_url = (changes.get("procurement") or {}).get("sushi_url")
    if sushi_url is not None and sushi_url != product.procurement.get("sushi_url"):
        sushi.require(sushi_url)
    before = _audited(product)
    for name, value in changes.items():
        if getattr(product, name) != value:
            setattr(product, name, value)
    await trail.record_update(
        session,
        row=product,
        principal=principal,
        change=Change("product", str(product.id), before=before, after=_audited(product)),
        subject=str(product.id),
        request_id=request_id,
        event=lambda changed: ProductUpdated(
            vendor_id=product.vendor_id,
            status=product_view(product).status,
            changed=changed,
        ),
    )
    return product


async def move_status(
    session: AsyncSession,
    *,
    principal: Principal,
    product: Product,
    to: str,
    request_id: str | None,
) -> Product:
    current = product.status
    if NEXT_STATUS.get(current) != to:
        raise StatusMoveNotAllowed(
            f"A product moves draft -> active -> retired only; it is {current}, "
            f"so it cannot become {to}",
            extra={"current_status": current, "requested_status": to},
        )
    before = _audited(product)
    product.status = to
    product.updated_at = utcnow()
    await session.flush()
    view = product_view(product)
    await trail.announce(
        session,
        STATUS_EVENT[to](
            vendor_id=product.vendor_id,
            status=view.status,
            previous_status=current,
            category=view.category,
        ),
        principal=principal,
        change=Change("product", str(product.id), before=before, after=_audited(product)),
        subject=str(product.id),
        request_id=request_id,
    )
    return product
