"""Rules of vendors: unique organisation numbers, and a vendor sees and changes only itself."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.audit.service import announce, record_update
from catalogue_licensing.field_problems import field_problem
from catalogue_licensing.vendors.models import Vendor
from catalogue_licensing.vendors.schemas import VendorIn, VendorOut, VendorPatch
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.problems import FieldError, ProblemError
from chassis.types import utcnow

# What a vendor may change about itself; name and organisation number are the programme's.
VENDOR_SELF_SERVICE = frozenset({"contacts"})


def principal_vendor_id(principal: Principal) -> uuid.UUID | None:
    """The vendor a vendor token is scoped to (None when it names none or not a UUID)."""
    if principal.vendor_id is None:
        return None
    try:
        return uuid.UUID(principal.vendor_id)
    except ValueError:
        return None


def sees_all_vendors(principal: Principal) -> bool:
    return "programme_admin" in principal.roles


def vendor_view(vendor: Vendor) -> VendorOut:
    return VendorOut.model_validate(vendor)


def _audited(vendor: Vendor) -> dict[str, Any]:
    return vendor_view(vendor).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at"}
    )


def _not_found(vendor_id: uuid.UUID) -> ProblemError:
    return ProblemError(404, "not-found", f"No vendor {vendor_id} that you may see")


async def get_vendor(
    session: AsyncSession, *, principal: Principal, vendor_id: uuid.UUID
) -> Vendor:
    """The vendor, if the caller may see it: another vendor's is 404, as if it did not exist."""
    if not sees_all_vendors(principal) and principal_vendor_id(principal) != vendor_id:
        raise _not_found(vendor_id)
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise _not_found(vendor_id)
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
        raise field_problem(
            409,
            "duplicate-org-number",
            field="org_number",
            message=f"a vendor with organisation number {org_number} is registered already",
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
    await announce(
        session,
        principal=principal,
        action="vendor.created",
        resource_type="vendor",
        resource_id=str(vendor.id),
        subject=str(vendor.id),
        before=None,
        after=_audited(vendor),
        request_id=request_id,
        data={"name": vendor.name, "org_number": vendor.org_number},
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
    # Only the fields sent, but each one whole: exclude_unset would also drop the defaults
    # of nested objects (a contact's phone), storing them incomplete.
    full = body.model_dump(mode="json")
    changes = {name: full[name] for name in body.model_fields_set}
    if not sees_all_vendors(principal):
        refused = sorted(set(changes) - VENDOR_SELF_SERVICE)
        if refused:
            raise ProblemError(
                403,
                "field-not-yours-to-change",
                f"A vendor may change its contacts only, not: {', '.join(refused)}",
                errors=[
                    FieldError(
                        location=f"body.{name}",
                        pointer=f"/{name}",
                        message="only a programme administrator may change this",
                        type="field-not-yours-to-change",
                    )
                    for name in refused
                ],
            )
    for name in ("name", "org_number", "contacts"):
        if changes.get(name) is None and name in changes:
            raise field_problem(422, "null-not-allowed", field=name, message="may not be null")
    if "org_number" in changes and changes["org_number"] != vendor.org_number:
        await _refuse_taken_org_number(session, changes["org_number"], other_than=vendor.id)
    before = _audited(vendor)
    for name, value in changes.items():
        if getattr(vendor, name) != value:
            setattr(vendor, name, value)
    await record_update(
        session,
        row=vendor,
        principal=principal,
        action="vendor.updated",
        resource_type="vendor",
        resource_id=str(vendor.id),
        subject=str(vendor.id),
        before=before,
        after=_audited(vendor),
        request_id=request_id,
        event_data=lambda changed: {"changed": changed},
    )
    return vendor
