"""Which tickets a caller sees: an agent every one, staff their own library's only."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import QueryableAttribute

from chassis.auth import Principal
from helpdesk.tickets.states import AGENT, REQUESTER


def is_agent(principal: Principal) -> bool:
    return "agent" in principal.roles


def party_of(principal: Principal) -> str:
    return AGENT if is_agent(principal) else REQUESTER


def ticket_scope(principal: Principal, isil: QueryableAttribute[str]) -> ColumnElement[bool]:
    """An agent sees all; staff see their token's library only (none without one)."""
    if is_agent(principal):
        return true()
    if "staff" in principal.roles and principal.isil:
        return isil == principal.isil
    return false()


def sees_internal(principal: Principal) -> bool:
    """Internal notes and attachments: agents only, on every read path."""
    return is_agent(principal)
