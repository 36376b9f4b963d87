"""Whose figures a caller may enter and read: an analyst every organisation's, a county admin
those in the token's county (the county, its municipalities, their libraries), staff their own
library's (the token's ISIL)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, and_, false, or_, true

from chassis.auth import Principal
from kpi.organisations.models import Organisation


def sees_all(principal: Principal) -> bool:
    return "analyst" in principal.roles


def organisation_scope(principal: Principal) -> ColumnElement[bool]:
    """The condition on organisations whose figures the caller may enter and read."""
    if sees_all(principal):
        return true()
    allowed: list[ColumnElement[bool]] = []
    if "county_admin" in principal.roles and principal.county:
        allowed.append(Organisation.county_code == principal.county)
    if "staff" in principal.roles and principal.isil:
        allowed.append(and_(Organisation.level == "library", Organisation.code == principal.isil))
    return or_(*allowed) if allowed else false()


class Placed(Protocol):
    """An organisation as far as scope goes (a row, or one resolved from its natural code)."""

    @property
    def level(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def county_code(self) -> str | None: ...


def in_scope(principal: Principal, organisation: Placed) -> bool:
    """The same rule as `organisation_scope`, for one organisation already loaded."""
    if sees_all(principal):
        return True
    if (
        "county_admin" in principal.roles
        and principal.county
        and organisation.county_code == principal.county
    ):
        return True
    return (
        "staff" in principal.roles
        and principal.isil is not None
        and organisation.level == "library"
        and organisation.code == principal.isil
    )
