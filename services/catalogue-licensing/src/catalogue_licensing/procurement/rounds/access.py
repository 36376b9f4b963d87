"""Which rounds a caller sees: the programme every one, anyone else those announced (a draft is
the programme's work in progress)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import QueryableAttribute

from catalogue_licensing.procurement.rounds.states import RoundState
from chassis.auth import Principal

PROGRAMME = "programme_admin"


def is_programme(principal: Principal) -> bool:
    return PROGRAMME in principal.roles


def round_scope(principal: Principal, state: QueryableAttribute[str]) -> ColumnElement[bool]:
    if is_programme(principal):
        return true()
    return state != RoundState.draft.value
