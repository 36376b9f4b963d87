"""Rules of products: a vendor owns its products, every change is audited and announced, and the
status only moves draft -> active -> retired."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.audit.service import announce, record_update
from catalogue_licensing.field_problems import field_problem
from catalogue_licensing.products.models import Product
from catalogue_licensing.products.schemas import (
    ProductContent,
    ProductIn,
    ProductOut,
    ProductPatch,
)
from catalogue_licensing.products.sushi import HostResolver, check_sushi_url
from catalogue_licensing.vendors.models import Vendor
from catalogue_licensing.vendors.service import principal_vendor_id, sees_all_vendors
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.problems import FieldError, ProblemError
from chassis.types import utcnow

# The only moves; anything else (a skip, a step back, a repeat) is a 409.
NEXT_STATUS = {"draft": "active", "active": "retired"}
STATUS_EVENT = {"active": "product.activated", "retired": "product.retired"}
CONTENT_FIELDS = tuple(ProductContent.model_fields)


def product_view(product: Product) -> ProductOut:
    return ProductOut.model_validate(product)


def _audited(product: Product) -> dict[str, Any]:
    return product_view(product).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at"}
    )


def _owner_scope(principal: Principal) -> uuid.UUID | None:
    """None when the caller sees every vendor's products, else the one vendor it sees.

    A vendor token without a usable vendor id sees nothing: a fresh UUID matches no product.
    """
    if sees_all_vendors(principal):
        return None
    return principal_vendor_id(principal) or uuid.uuid4()


async def get_product(
    session: AsyncSession, *, principal: Principal, product_id: uuid.UUID
) -> Product:
    """The product if the caller may see it; another vendor's product is 404, as if absent."""
    query = select(Product).where(Product.id == product_id)
    owner = _owner_scope(principal)
    if owner is not None:
        query = query.where(Product.vendor_id == owner)
    product = await session.scalar(query)
    if product is None:
        raise ProblemError(404, "not-found", f"No product {product_id} that you may see")
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
    query = select(Product).order_by(Product.id).limit(limit)
    owner = _owner_scope(principal)
    if owner is not None:
        query = query.where(Product.vendor_id == owner)
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
            raise ProblemError(
                403,
                "field-not-yours-to-set",
                "vendor_id: your token names your vendor; leave vendor_id out",
                errors=[
                    FieldError(
                        location="body.vendor_id",
                        pointer="/vendor_id",
                        message="a vendor creates products for itself only; leave it out",
                        type="field-not-yours-to-set",
                    )
                ],
            )
        own = principal_vendor_id(principal)
        vendor = await session.get(Vendor, own) if own is not None else None
        if vendor is None:
            raise ProblemError(
                403, "unknown-vendor", "Your token's vendor_id names no registered vendor"
            )
        return vendor
    if body.vendor_id is None:
        raise field_problem(
            422,
            "missing-vendor",
            field="vendor_id",
            message="a programme administrator names the vendor the product belongs to",
        )
    vendor = await session.get(Vendor, body.vendor_id)
    if vendor is None:
        raise field_problem(
            422, "unknown-vendor", field="vendor_id", message=f"there is no vendor {body.vendor_id}"
        )
    return vendor


def _event_data(product: Product, data: dict[str, Any]) -> dict[str, Any]:
    """Every product event names the vendor and the status, so a consumer needs no lookup."""
    return {"vendor_id": str(product.vendor_id), "status": product.status} | data


async def _announce(
    session: AsyncSession,
    *,
    principal: Principal,
    product: Product,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    request_id: str | None,
    data: dict[str, Any],
) -> None:
    await announce(
        session,
        principal=principal,
        action=action,
        resource_type="product",
        resource_id=str(product.id),
        subject=str(product.id),
        before=before,
        after=after,
        request_id=request_id,
        data=_event_data(product, data),
    )


async def create_product(
    session: AsyncSession,
    *,
    principal: Principal,
    body: ProductIn,
    resolver: HostResolver,
    request_id: str | None,
    product_id: uuid.UUID | None = None,
) -> Product:
    """A new draft product; `product_id` lets the demo data give its products fixed ids."""
    vendor = await _owning_vendor(session, principal=principal, body=body)
    if body.procurement.sushi_url is not None:
        await check_sushi_url(str(body.procurement.sushi_url), resolver)
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
    await _announce(
        session,
        principal=principal,
        product=product,
        action="product.created",
        before=None,
        after=_audited(product),
        request_id=request_id,
        data={"category": product.category},
    )
    return product


async def update_product(
    session: AsyncSession,
    *,
    principal: Principal,
    product: Product,
    body: ProductPatch,
    resolver: HostResolver,
    request_id: str | None,
) -> Product:
    if product.status == "retired":
        raise ProblemError(
            409,
            "product-retired",
            "A retired product is kept as it was; it can no longer be changed",
            extra={"current_status": product.status},
        )
    # Only the fields sent, but each one whole: exclude_unset would also drop the defaults
    # of nested objects (a contact's phone), storing them incomplete.
    full = body.model_dump(mode="json")
    changes = {name: full[name] for name in body.model_fields_set}
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        raise field_problem(422, "null-not-allowed", field=nulls[0], message="may not be null")
    sushi_url = (changes.get("procurement") or {}).get("sushi_url")
    if sushi_url is not None and sushi_url != product.procurement.get("sushi_url"):
        await check_sushi_url(sushi_url, resolver)
    before = _audited(product)
    for name, value in changes.items():
        if getattr(product, name) != value:
            setattr(product, name, value)
    await record_update(
        session,
        row=product,
        principal=principal,
        action="product.updated",
        resource_type="product",
        resource_id=str(product.id),
        subject=str(product.id),
        before=before,
        after=_audited(product),
        request_id=request_id,
        event_data=lambda changed: _event_data(product, {"changed": changed}),
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
        raise ProblemError(
            409,
            "status-move-not-allowed",
            f"A product moves draft -> active -> retired only; it is {current}, "
            f"so it cannot become {to}",
            extra={"current_status": current, "requested_status": to},
        )
    before = _audited(product)
    product.status = to
    product.updated_at = utcnow()
    await session.flush()
    await _announce(
        session,
        principal=principal,
        product=product,
        action=STATUS_EVENT[to],
        before=before,
        after=_audited(product),
        request_id=request_id,
        data={"previous_status": current, "category": product.category},
    )
    return product
