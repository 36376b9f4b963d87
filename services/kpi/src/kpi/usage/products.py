"""Products kept from the catalogue's events: which exist, and their status (the catalogue's own
id is theirs here, so a usage report names a product as the catalogue does)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from kpi.db import trail
from kpi.usage.events import ProductRecorded
from kpi.usage.models import Product


async def record_product(
    session: AsyncSession,
    *,
    principal: Principal,
    product_id: uuid.UUID,
    vendor_id: uuid.UUID,
    status: str,
    category: str | None,
    now: datetime,
) -> Product:
    product = await session.get(Product, product_id)
    before = None
    if product is None:
        product = Product(
            id=product_id, vendor_id=vendor_id, status=status, category=category, updated_at=now
        )
        session.add(product)
    else:
        before = {"status": product.status, "category": product.category}
        if (product.status, product.category) == (status, category or product.category):
            return product
        product.status = status
        product.category = category or product.category
        product.updated_at = now
    await session.flush()
    await trail.announce(
        session,
        ProductRecorded(product_id=str(product_id), status=status),
        principal=principal,
        change=Change(
            "product",
            str(product_id),
            before=before,
            after={"status": product.status, "category": product.category},
        ),
        subject=str(product_id),
        request_id=None,
    )
    return product
