"""Which vendors a caller sees: a programme administrator every one, a vendor token its own."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import QueryableAttribute

from chassis.auth import Principal

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


def vendor_scope(
    principal: Principal, column: QueryableAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """The condition, on a vendor id column, that keeps the rows the caller may see.

    A vendor token without a usable vendor id sees nothing: a fresh UUID matches no row.
    """
    if sees_all_vendors(principal):
        return true()
    return column == (principal_vendor_id(principal) or uuid.uuid4())
