"""The one table of state moves: who may move a ticket from which state to which."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

State = Literal["new", "open", "pending", "resolved", "closed"]
STATES: tuple[State, ...] = ("new", "open", "pending", "resolved", "closed")
AGENT = "agent"
REQUESTER = "requester"
# While a ticket is in one of these states its SLA clocks are paused, for this reason.
PAUSING: dict[str, str] = {"pending": "pending on the library", "resolved": "resolved"}


@dataclass(frozen=True)
class Move:
    by: frozenset[str]
    # Moves out of `resolved` back to work are allowed within the reopen window only.
    reopens: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    ("new", "open"): Move(frozenset({AGENT})),
    ("new", "pending"): Move(frozenset({AGENT})),
    ("new", "resolved"): Move(frozenset({AGENT})),
    ("open", "pending"): Move(frozenset({AGENT})),
    ("open", "resolved"): Move(frozenset({AGENT})),
    # The library answers: back to work (a staff reply on a pending ticket does this too).
    ("pending", "open"): Move(frozenset({AGENT, REQUESTER})),
    ("pending", "resolved"): Move(frozenset({AGENT})),
    ("resolved", "open"): Move(frozenset({AGENT, REQUESTER}), reopens=True),
    ("resolved", "closed"): Move(frozenset({AGENT, REQUESTER})),
}


def allowed_targets(state: str, party: str) -> list[str]:
    return [to for (frm, to), move in TRANSITIONS.items() if frm == state and party in move.by]
