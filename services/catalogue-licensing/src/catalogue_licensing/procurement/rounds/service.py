"""Rules of procurement rounds: the schedule, who sees which, and the moves between states, each
only in order, only when the round's own calendar allows, and each recorded."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.procurement.rounds.access import round_scope
from catalogue_licensing.procurement.rounds.calendar import zone_of
from catalogue_licensing.procurement.rounds.errors import (
    MoveOutOfOrder,
    RoundNotEditable,
    RoundNotFound,
)
from catalogue_licensing.procurement.rounds.events import (
    MOVE_EVENT_FIELDS,
    MOVE_EVENTS,
    RoundCreated,
    RoundUpdated,
)
from catalogue_licensing.procurement.rounds.guards import check_dates
from catalogue_licensing.procurement.rounds.hooks import MOVE_CHECKS
from catalogue_licensing.procurement.rounds.models import ProcurementRound, RoundMove
from catalogue_licensing.procurement.rounds.schedule import check_order, deadline_instants
from catalogue_licensing.procurement.rounds.schemas import RoundIn, RoundOut, RoundPatch
from catalogue_licensing.procurement.rounds.states import TRANSITIONS, RoundState, allowed_moves
from catalogue_licensing.procurement.rounds.wake import wake_closing_job_at
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.outbox import EventData
from chassis.types import utcnow

SCHEDULE_FIELDS = (
    "contract_start",
    "contract_end",
    "doffin_notice_id",
    "doffin_published_on",
    "ted_notice_id",
    "ted_published_on",
    "supplier_meeting_on",
    "declaration_deadline",
    "offer_deadline",
    "negotiation_start",
    "negotiation_end",
    "award_on",
)


def round_view(round_: ProcurementRound) -> RoundOut:
    zone = zone_of(round_.time_zone)
    state = RoundState(round_.state)
    return RoundOut.model_validate(
        {
            **{
                name: getattr(round_, name)
                for name in RoundOut.model_fields
                if hasattr(round_, name)
            },
            "state": state,
            "allowed_moves": allowed_moves(state),
            "declaration_deadline": round_.declaration_deadline.astimezone(zone),
            "offer_deadline": round_.offer_deadline.astimezone(zone),
        }
    )


def _audited(round_: ProcurementRound) -> dict[str, Any]:
    return round_view(round_).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at", "allowed_moves"}
    )


def offer_deadline_passed(round_: ProcurementRound, now: datetime) -> bool:
    return now >= round_.offer_deadline


async def get_round(
    session: AsyncSession, *, principal: Principal, round_id: uuid.UUID, for_update: bool = False
) -> ProcurementRound:
    """The round, if the caller may see it (a draft is the programme's: 404 to anyone else)."""
    query = select(ProcurementRound).where(
        ProcurementRound.id == round_id, round_scope(principal, ProcurementRound.state)
    )
    if for_update:
        query = query.with_for_update()
    round_ = await session.scalar(query)
    if round_ is None:
        raise RoundNotFound(f"No procurement round {round_id} that you may see")
    return round_


async def list_rounds(
    session: AsyncSession,
    *,
    principal: Principal,
    state: RoundState | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[ProcurementRound]:
    query = (
        select(ProcurementRound)
        .where(round_scope(principal, ProcurementRound.state))
        .order_by(ProcurementRound.id)
        .limit(limit)
    )
    if state is not None:
        query = query.where(ProcurementRound.state == state.value)
    if after is not None:
        query = query.where(ProcurementRound.id > after)
    return (await session.scalars(query)).all()


async def create_round(
    session: AsyncSession,
    *,
    principal: Principal,
    body: RoundIn,
    request_id: str | None,
    round_id: uuid.UUID | None = None,
    state: RoundState = RoundState.draft,
) -> ProcurementRound:
    """A new round, a draft; `round_id` and `state` only for data loaded as is (the demo)."""
    values = body.model_dump()
    zone = zone_of(body.time_zone)
    deadline_instants(values, zone, given=set(values))
    check_order(values, zone)
    now = utcnow()
    round_ = ProcurementRound(
        id=round_id or uuid7(),
        state=state.value,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(round_)
    await session.flush()
    await trail.announce(
        session,
        RoundCreated(
            title=round_.title,
            contract_start=round_.contract_start,
            contract_end=round_.contract_end,
            offer_deadline=round_.offer_deadline,
        ),
        principal=principal,
        change=Change("procurement_round", str(round_.id), before=None, after=_audited(round_)),
        subject=str(round_.id),
        request_id=request_id,
    )
    return round_


async def update_round(
    session: AsyncSession,
    *,
    principal: Principal,
    round_: ProcurementRound,
    body: RoundPatch,
    request_id: str | None,
) -> ProcurementRound:
    """Change a draft's fields; once announced, the published schedule stays as published."""
    if round_.state != RoundState.draft:
        raise RoundNotEditable(
            f"Round {round_.id} is {round_.state}: only a draft's fields may change"
        )
    # Python values (dates, datetimes), not JSON: the schedule compares them.
    changes = {name: getattr(body, name) for name in body.sent()}
    merged = {name: getattr(round_, name) for name in SCHEDULE_FIELDS} | changes
    zone = zone_of(changes.get("time_zone", round_.time_zone))
    if "time_zone" in changes:
        # The same wall-clock deadlines, now read in the new zone.
        old_zone = zone_of(round_.time_zone)
        for name in ("declaration_deadline", "offer_deadline"):
            if name not in changes:
                merged[name] = getattr(round_, name).astimezone(old_zone).replace(tzinfo=None)
                changes[name] = merged[name]
    deadline_instants(merged, zone, given=set(changes))
    check_order(merged, zone)
    before = _audited(round_)
    for name in changes:
        value = merged.get(name, changes[name])
        if getattr(round_, name) != value:
            setattr(round_, name, value)
    await trail.record_update(
        session,
        row=round_,
        principal=principal,
        change=Change("procurement_round", str(round_.id), before=before, after=_audited(round_)),
        subject=str(round_.id),
        request_id=request_id,
        event=lambda changed: RoundUpdated(changed=changed),
    )
    return round_


def _move_event(round_: ProcurementRound, was: RoundState, now: datetime) -> EventData:
    common: dict[str, Any] = {
        "round_id": round_.id,
        "from_state": was.value,
        "moved_at": now,
        "version": round_.version,
    }
    state = RoundState(round_.state)
    extra = {name: getattr(round_, name) for name in MOVE_EVENT_FIELDS.get(state, ())}
    return MOVE_EVENTS[state](**common, **extra)


async def move_round(
    session: AsyncSession,
    *,
    principal: Principal,
    round_: ProcurementRound,
    to: RoundState,
    request_id: str | None,
    now: datetime | None = None,
) -> ProcurementRound:
    """Move the round to `to`: only along the transition table, only when its dates allow (in
    its own time zone), only when the later parts of procurement agree; recorded as a move, an
    audit entry and an event, in the caller's transaction."""
    now = now or utcnow()
    was = RoundState(round_.state)
    if to not in TRANSITIONS[was]:
        allowed = ", ".join(allowed_moves(was)) or "none"
        raise MoveOutOfOrder(
            "to", f"a round that is {was} cannot move to {to}; it may move to: {allowed}"
        )
    check_dates(round_, to, now)
    await MOVE_CHECKS.run(session, round_=round_, to=to, now=now)
    before = _audited(round_)
    round_.state = to.value
    round_.updated_at = now
    await session.flush()
    if to is RoundState.open:
        await wake_closing_job_at(session, round_.offer_deadline)
    session.add(
        RoundMove(
            round_id=round_.id,
            from_state=was.value,
            to_state=to.value,
            moved_by=principal.subject,
            moved_at=now,
            round_version=round_.version,
        )
    )
    await session.flush()
    await trail.announce(
        session,
        _move_event(round_, was, now),
        principal=principal,
        change=Change("procurement_round", str(round_.id), before=before, after=_audited(round_)),
        subject=str(round_.id),
        request_id=request_id,
    )
    return round_


async def list_moves(
    session: AsyncSession, *, round_id: uuid.UUID, after: int | None, limit: int
) -> Sequence[RoundMove]:
    query = (
        select(RoundMove).where(RoundMove.round_id == round_id).order_by(RoundMove.seq).limit(limit)
    )
    if after is not None:
        query = query.where(RoundMove.seq > after)
    return (await session.scalars(query)).all()
