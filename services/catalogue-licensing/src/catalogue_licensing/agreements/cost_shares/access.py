"""Whose cost shares a caller reads: a programme administrator every agreement's; a county
administrator those of the agreements its county takes part in, every participant's row (the
price, the split key and the public populations reveal them anyway, and each county checks that
the split adds up: docs/decisions/0039); anyone else none."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, select, true
from sqlalchemy.orm import aliased

from catalogue_licensing.agreements.models import CostShare, Participation
from catalogue_licensing.directory.models import County
from chassis.auth import Principal


def visible_shares(principal: Principal) -> ColumnElement[bool]:
    """The condition, on a query of CostShare, that keeps the rows the caller may read."""
    if "programme_admin" in principal.roles:
        return true()
    if principal.county is None:
        return false()
    own_county = aliased(County)
    return exists(
        select(Participation.id)
        .join(own_county, own_county.id == Participation.county_id)
        .where(
            Participation.agreement_id == CostShare.agreement_id,
            own_county.number == principal.county,
        )
    )
