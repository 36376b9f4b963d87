"""Which libraries a caller manages: a programme administrator every one, a county administrator
its own county's."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, bindparam

from catalogue_licensing.directory.errors import OutsideYourCounty
from catalogue_licensing.directory.models import County
from chassis.auth import Principal


def managed_county(principal: Principal) -> str | None:
    """The county whose libraries the caller manages: None for all (programme administrators).

    A county administrator whose token names no county manages nothing; "" matches no county.
    """
    if "programme_admin" in principal.roles:
        return None
    return principal.county or ""


def in_managed_county() -> ColumnElement[bool]:
    """The condition, on a query joined to the counties, that keeps the rows of the caller's
    county: a statement prepared once, so the county is its parameter `managed_county`, bound to
    `managed_county(principal)`. Programme administrators (None) take the query without it."""
    return County.__table__.c.number == bindparam("managed_county", type_=String)


def require_managed(principal: Principal, *, municipality: str, county: str) -> None:
    """403 when the caller does not manage `county`, the county of `municipality`, where a
    library is to be placed: municipalities are public, so refusing, not hiding, says why."""
    managed = managed_county(principal)
    if managed is not None and county != managed:
        raise OutsideYourCounty(
            "municipality",
            f"municipality {municipality} is in county {county}; "
            f"you manage the libraries of county {managed or '(none)'} only",
        )
