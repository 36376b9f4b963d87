"""The states of a round and the one table of the moves between them."""

from __future__ import annotations

from enum import StrEnum


class RoundState(StrEnum):
    draft = "draft"
    announced = "announced"
    open = "open"
    closed = "closed"
    negotiation = "negotiation"
    awarded = "awarded"
    concluded = "concluded"
    cancelled = "cancelled"


S = RoundState
# Every allowed move: forward one step in order, or cancelled from any state before awarded.
TRANSITIONS: dict[RoundState, frozenset[RoundState]] = {
    S.draft: frozenset({S.announced, S.cancelled}),
    S.announced: frozenset({S.open, S.cancelled}),
    S.open: frozenset({S.closed, S.cancelled}),
    S.closed: frozenset({S.negotiation, S.cancelled}),
    S.negotiation: frozenset({S.awarded, S.cancelled}),
    S.awarded: frozenset({S.concluded}),
    S.concluded: frozenset(),
    S.cancelled: frozenset(),
}

# States in which the offer deadline has passed: sealed content may be read by the programme.
UNSEALED = frozenset({S.closed, S.negotiation, S.awarded, S.concluded})


def allowed_moves(state: RoundState) -> list[RoundState]:
    return sorted(TRANSITIONS[state], key=list(RoundState).index)
