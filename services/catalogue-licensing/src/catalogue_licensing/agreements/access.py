"""Who sees which agreements: every role the policy admits sees every agreement (they are not
secret), so no query narrows them; the county scopes of participation and cost shares are in
participation/access.py and cost_shares/access.py."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from chassis.auth import Principal


def visible_agreements(principal: Principal) -> ColumnElement[bool]:
    """The condition that keeps the agreements the caller may see: all of them."""
    return true()
