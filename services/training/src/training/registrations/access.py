"""Whose registrations a caller sees: trainers everyone's, staff their own."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from chassis.auth import Principal
from training.registrations.models import Registration

REGISTRARS = frozenset({"trainer"})


def sees_all_registrations(principal: Principal) -> bool:
    return principal.has_any(REGISTRARS)


def visible_registrations(principal: Principal) -> ColumnElement[bool]:
    if sees_all_registrations(principal):
        return true()
    return Registration.person == principal.subject
