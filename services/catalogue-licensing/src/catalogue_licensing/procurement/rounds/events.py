"""The events of rounds: one per move, so a consumer subscribes to the milestones it needs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from catalogue_licensing.procurement.rounds.states import RoundState
from chassis.outbox import EventData


class RoundCreated(EventData):
    event_type = "round.created"
    title: str
    contract_start: date
    contract_end: date
    offer_deadline: datetime


class RoundUpdated(EventData):
    event_type = "round.updated"
    changed: list[str]


class _RoundMoved(EventData):
    round_id: uuid.UUID
    from_state: str
    moved_at: datetime
    version: int


class RoundAnnounced(_RoundMoved):
    event_type = "round.announced"
    doffin_notice_id: str | None
    ted_notice_id: str | None


class RoundOpened(_RoundMoved):
    event_type = "round.opened"
    offer_deadline: datetime


class RoundClosed(_RoundMoved):
    event_type = "round.closed"
    offer_deadline: datetime


class RoundNegotiationStarted(_RoundMoved):
    event_type = "round.negotiation_started"
    negotiation_end: date


class RoundAwarded(_RoundMoved):
    event_type = "round.awarded"


class RoundConcluded(_RoundMoved):
    event_type = "round.concluded"


class RoundCancelled(_RoundMoved):
    event_type = "round.cancelled"


_MOVED: list[type[_RoundMoved]] = [
    RoundAnnounced,
    RoundOpened,
    RoundClosed,
    RoundNegotiationStarted,
    RoundAwarded,
    RoundConcluded,
    RoundCancelled,
]
# The event of a move, by the state the round moved to ("round.<state>"; negotiation's is
# "round.negotiation_started"), and the round's fields each carries.
MOVE_EVENTS: dict[RoundState, type[_RoundMoved]] = dict(
    zip(list(RoundState)[1:], _MOVED, strict=True)
)
MOVE_EVENT_FIELDS: dict[RoundState, tuple[str, ...]] = {
    RoundState.announced: ("doffin_notice_id", "ted_notice_id"),
    RoundState.open: ("offer_deadline",),
    RoundState.closed: ("offer_deadline",),
    RoundState.negotiation: ("negotiation_end",),
}
