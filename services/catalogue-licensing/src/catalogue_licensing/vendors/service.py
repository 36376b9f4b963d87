"""Rules of vendors: unique organisation numbers, and a vendor sees and changes only itself."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.vendors.access import VENDOR_SELF_SERVICE, sees_all_vendors, vendor_scope
from catalogue_licensing.vendors.errors import (
    DuplicateOrgNumber,
    FieldNotYoursToChange,
    VendorNotFound,
)
from catalogue_licensing.vendors.events import VendorCreated, VendorUpdated
from catalogue_licensing.vendors.models import Vendor
from catalogue_licensing.vendors.schemas import VendorIn, VendorOut, VendorPatch
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.problems import body_field_error
from chassis.types import utcnow


def vendor_view(vendor: Vendor) -> VendorOut:
    return VendorOut.model_validate(vendor)


def _audited(vendor: Vendor) -> dict[str, Any]:
    return vendor_view(vendor).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at"}
    )


async def get_vendor(
    session: AsyncSession, *, principal: Principal, vendor_id: uuid.UUID
) -> Vendor:
    """The vendor, if the caller may see it: another vendor's is 404, as if it did not exist."""
    vendor = await session.scalar(
        select(Vendor).where(Vendor.id == vendor_id, vendor_scope(principal, Vendor.id))
    )
    if vendor is None:
        raise VendorNotFound(f"No vendor {vendor_id} that you may see")
    return vendor


async def list_vendors(
    session: AsyncSession, *, name_contains: str | None, after: uuid.UUID | None, limit: int
) -> Sequence[Vendor]:
    query = select(Vendor).order_by(Vendor.id).limit(limit)
    if name_contains:
        escaped = name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Vendor.name.ilike(f"%{escaped}%", escape="\\"))
    if after is not None:
        query = query.where(Vendor.id > after)
    return (await session.scalars(query)).all()


async def _refuse_taken_org_number(
    session: AsyncSession, org_number: str, *, other_than: uuid.UUID | None = None
) -> None:
    query = select(Vendor.id).where(Vendor.org_number == org_number)
    if other_than is not None:
        query = query.where(Vendor.id != other_than)
    if await session.scalar(query) is not None:
        raise DuplicateOrgNumber(
            "org_number",
            f"a vendor with organisation number {org_number} is registered already",
        )


async def create_vendor(
    session: AsyncSession,
    *,
    principal: Principal,
    body: VendorIn,
    request_id: str | None,
    vendor_id: uuid.UUID | None = None,
) -> Vendor:
    """Register a vendor; `vendor_id` lets the demo data give its vendors fixed ids."""
    await _refuse_taken_org_number(session, body.org_number)
    now = utcnow()
    vendor = Vendor(
        id=vendor_id or uuid7(),
        name=body.name,
        org_number=body.org_number,
        contacts=[c.model_dump(mode="json") for c in body.contacts],
        created_at=now,
        updated_at=now,
    )
    session.add(vendor)
    await session.flush()
    await trail.announce(
        session,
        VendorCreated(name=vendor.name, org_number=vendor.org_number),
        principal=principal,
        change=Change("vendor", str(vendor.id), before=None, after=_audited(vendor)),
        subject=str(vendor.id),
        request_id=request_id,
    )
    return vendor


async def update_vendor(
    session: AsyncSession,
    *,
    principal: Principal,
    vendor: Vendor,
    body: VendorPatch,
    request_id: str | None,
) -> Vendor:
    changes = body.sent()
    if not sees_all_vendors(principal):
        refused = sorted(set(changes) - VENDOR_SELF_SERVICE)
        if refused:
            raise FieldNotYoursToChange(
                f"A vendor may change its contacts only, not: {', '.join(refused)}",
                errors=[
                    body_field_error(
                        name,
                        "only a programme administrator may change this",
                        FieldNotYoursToChange.slug,
                    )
                    for name in refused
                ],
            )
    if "org_number" in changes and changes["org_number"] != vendor.org_number:
        await _refuse_taken_org_number(session, changes["org_number"], other_than=vendor.id)
    before = _audited(vendor)
    for name, value in changes.items():
        if getattr(vendor, name) != value:
            setattr(vendor, name, value)
    await trail.record_update(
        session,
        row=vendor,
        principal=principal,
        change=Change("vendor", str(vendor.id), before=before, after=_audited(vendor)),
        subject=str(vendor.id),
        request_id=request_id,
        event=lambda changed: VendorUpdated(changed=changed),
    )
    return vendor
