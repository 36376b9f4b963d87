"""Whose participation a caller may change: a programme administrator every county's, a county
administrator its own county's only."""

from __future__ import annotations

from catalogue_licensing.agreements.participation.errors import ForeignCounty
from chassis.auth import Principal


def require_own_county(principal: Principal, county_number: str) -> None:
    """A county administrator changes its own county's participation only.

    403 rather than 404: which counties take part is readable by every county administrator,
    so refusing with 404 would hide nothing and only mislead.
    """
    if "programme_admin" in principal.roles or principal.county == county_number:
        return
    raise ForeignCounty(
        f"A county administrator may change only its own county's participation, not county "
        f"{county_number}'s"
    )
