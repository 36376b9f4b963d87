"""Whose cost shares a caller reads: a programme administrator every county's, a county
administrator its own county's row only, anyone else none."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from catalogue_licensing.directory.models import County
from chassis.auth import Principal


def visible_shares(principal: Principal) -> ColumnElement[bool]:
    """The condition, on a query joined to County, that keeps the rows the caller may read."""
    if "programme_admin" in principal.roles:
        return true()
    if principal.county is None:
        return false()
    return County.number == principal.county
