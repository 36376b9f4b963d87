"""Which libraries a caller manages: a programme administrator every one, a county administrator
its own county's."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from catalogue_licensing.directory.models import County
from chassis.auth import Principal


def managed_county(principal: Principal) -> str | None:
    """The county whose libraries the caller manages: None for all (programme administrators).

    A county administrator whose token names no county manages nothing; "" matches no county.
    """
    if "programme_admin" in principal.roles:
        return None
    return principal.county or ""


def in_managed_county(principal: Principal) -> ColumnElement[bool]:
    """The condition, on a query joined to County, that keeps the caller's counties' rows."""
    county = managed_county(principal)
    return true() if county is None else County.number == county
