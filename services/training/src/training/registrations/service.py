"""Rules of registrations: seats counted under the seats row's lock, never more confirmed than
capacity, the waiting list in arrival order, promotion when a seat frees."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from training.db import trail
from training.registrations.access import sees_all_registrations, visible_registrations
from training.registrations.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    AttendanceNotYet,
    ModeNotOffered,
    NotConfirmed,
    OthersRegistrations,
    RegistrationClosed,
    RegistrationNotFound,
    RegistrationNotOpen,
    SessionNotOpenForChanges,
    StaleRegistration,
)
from training.registrations.events import (
    AttendanceRecorded,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from training.registrations.models import Registration
from training.registrations.schemas import RegistrationOut, RegistrationQuery
from training.sessions.models import SessionSeats, TrainingSession
from training.sessions.service import seats_of

_ahead = aliased(Registration)
# A waiting registration's place in its queue: the waiting ones of its session and mode that
# arrived before it, plus one.
_POSITION = (
    select(func.count())
    .where(
        _ahead.session_id == Registration.session_id,
        _ahead.mode == Registration.mode,
        _ahead.status == "waiting",
        _ahead.arrival <= Registration.arrival,
    )
    .correlate(Registration)
    .scalar_subquery()
)


def registration_view(registration: Registration, position: int | None) -> RegistrationOut:
    values = {c.key: getattr(registration, c.key) for c in Registration.__table__.columns}
    waiting = registration.status == "waiting"
    return RegistrationOut.model_validate(
        values | {"waiting_position": position if waiting else None}
    )


def _audited(registration: Registration) -> dict[str, Any]:
    return {
        "status": registration.status,
        "mode": registration.mode,
        "attended": registration.attended,
    }


async def position_of(session: AsyncSession, registration: Registration) -> int | None:
    if registration.status != "waiting":
        return None
    found = await session.scalar(
        select(_POSITION).select_from(Registration).where(Registration.id == registration.id)
    )
    return int(found or 0)


async def get_registration(
    session: AsyncSession, *, principal: Principal, registration_id: uuid.UUID
) -> Registration:
    found = await session.scalar(
        select(Registration).where(
            Registration.id == registration_id, visible_registrations(principal)
        )
    )
    if found is None:
        raise RegistrationNotFound(f"No registration {registration_id} of yours")
    return found


async def list_registrations(
    session: AsyncSession,
    *,
    principal: Principal,
    page: RegistrationQuery,
    after: uuid.UUID | None,
) -> Sequence[tuple[Registration, int]]:
    """A page by id (uuid7: registration order) with each one's waiting position."""
    if page.person is not None and not sees_all_registrations(principal):
        raise OthersRegistrations("Only trainers list other people's registrations")
    query = (
        select(Registration, _POSITION)
        .where(visible_registrations(principal))
        .order_by(Registration.id)
        .limit(page.limit + 1)
    )
    for column, value in (
        (Registration.session_id, page.session_id),
        (Registration.status, page.status),
        (Registration.person, page.person),
    ):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(Registration.id > after)
    return [(r, int(p)) for r, p in (await session.execute(query)).all()]


def _mode_for(ts: TrainingSession, seats: Sequence[SessionSeats], wanted: str | None) -> str:
    modes = [s.mode for s in seats]
    if wanted is None:
        if len(modes) == 1:
            return modes[0]
        raise ModeNotOffered("mode", f"say how you attend: one of {', '.join(modes)}")
    if wanted not in modes:
        raise ModeNotOffered("mode", f"a {ts.format} session has no {wanted} seats")
    return wanted


def _check_open(ts: TrainingSession, now: datetime) -> None:
    if ts.status != "scheduled":
        raise SessionNotOpenForChanges(f"The session is {ts.status}")
    if now < ts.registration_opens_at:
        raise RegistrationNotOpen(f"Registration opens at {ts.registration_opens_at.isoformat()}")
    if now >= ts.registration_closes_at:
        raise RegistrationClosed(f"Registration closed at {ts.registration_closes_at.isoformat()}")


async def register(
    session: AsyncSession,
    *,
    principal: Principal,
    ts: TrainingSession,
    mode: str | None,
    request_id: str | None,
) -> tuple[Registration, int | None]:
    """Count the caller in: a seat while there is one, else the end of the waiting list."""
    _check_open(ts, utcnow())
    chosen = _mode_for(ts, await seats_of(session, session_id=ts.id), mode)
    # The seats row, locked: every registration of this session and mode waits here for the
    # one before it to commit, so counting and confirming cannot interleave.
    seats = await session.scalar(
        select(SessionSeats)
        .where(SessionSeats.session_id == ts.id, SessionSeats.mode == chosen)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert seats is not None
    existing = await session.scalar(
        select(Registration).where(
            Registration.session_id == ts.id, Registration.person == principal.subject
        )
    )
    if existing is not None and existing.status != "cancelled":
        raise AlreadyRegistered(f"You are registered for this session already ({existing.status})")
    # Stamped under the lock: registration times follow the arrival order, replicas included.
    now = utcnow()
    seats.arrivals += 1
    confirmed = seats.confirmed < seats.capacity
    if confirmed:
        seats.confirmed += 1
    before = _audited(existing) if existing is not None else None
    registration = existing or Registration(
        id=uuid7(), session_id=ts.id, person=principal.subject, created_at=now
    )
    registration.mode = chosen
    registration.isil = principal.isil
    registration.arrival = seats.arrivals
    registration.status = "confirmed" if confirmed else "waiting"
    registration.attended = None
    registration.registered_at = now
    registration.confirmed_at = now if confirmed else None
    registration.cancelled_at = None
    registration.updated_at = now
    session.add(registration)
    await session.flush()
    position = await position_of(session, registration)
    event: RegistrationConfirmed | RegistrationWaitlisted
    if confirmed:
        event = RegistrationConfirmed(
            session_id=str(ts.id),
            person=registration.person,
            mode=chosen,
            arrival=registration.arrival,
            isil=registration.isil,
        )
    else:
        event = RegistrationWaitlisted(
            session_id=str(ts.id),
            person=registration.person,
            mode=chosen,
            arrival=registration.arrival,
            waiting_position=position or 0,
        )
    await trail.announce(
        session,
        event,
        principal=principal,
        change=Change(
            "registration", str(registration.id), before=before, after=_audited(registration)
        ),
        subject=str(registration.id),
        request_id=request_id,
    )
    return registration, position


async def promote_waiting(
    session: AsyncSession,
    *,
    seats: SessionSeats,
    principal: Principal,
    request_id: str | None,
) -> list[Registration]:
    """Fill free seats from the head of the waiting list (the seats row is locked)."""
    promoted = []
    while seats.confirmed < seats.capacity:
        first = await session.scalar(
            select(Registration)
            .where(
                Registration.session_id == seats.session_id,
                Registration.mode == seats.mode,
                Registration.status == "waiting",
            )
            .order_by(Registration.arrival)
            .limit(1)
        )
        if first is None:
            break
        before = _audited(first)
        now = utcnow()
        first.status = "confirmed"
        first.confirmed_at = now
        first.updated_at = now
        seats.confirmed += 1
        await session.flush()
        await trail.announce(
            session,
            RegistrationPromoted(
                session_id=str(first.session_id),
                person=first.person,
                mode=first.mode,
                arrival=first.arrival,
                isil=first.isil,
            ),
            principal=principal,
            change=Change("registration", str(first.id), before=before, after=_audited(first)),
            subject=str(first.id),
            request_id=request_id,
        )
        promoted.append(first)
    return promoted


async def cancel(
    session: AsyncSession,
    *,
    principal: Principal,
    registration: Registration,
    request_id: str | None,
) -> Registration:
    """Give the place up; a freed seat goes to the first waiting person at once."""
    if registration.status == "cancelled":
        raise AlreadyCancelled("The registration is cancelled already")
    ts = await session.get(TrainingSession, registration.session_id)
    assert ts is not None
    now = utcnow()
    if ts.status != "scheduled" or now >= ts.starts_at:
        raise SessionNotOpenForChanges("The session has started or is no longer scheduled")
    seats = await session.scalar(
        select(SessionSeats)
        .where(SessionSeats.session_id == ts.id, SessionSeats.mode == registration.mode)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert seats is not None
    checked_version = registration.version
    await session.refresh(registration)
    if registration.version != checked_version:
        raise StaleRegistration("The registration changed meanwhile (promoted?); read it again")
    was = registration.status
    before = _audited(registration)
    registration.status = "cancelled"
    registration.cancelled_at = now
    registration.updated_at = now
    if was == "confirmed":
        seats.confirmed -= 1
    await session.flush()
    await trail.announce(
        session,
        RegistrationCancelled(
            session_id=str(ts.id),
            person=registration.person,
            mode=registration.mode,
            was=was,
            isil=registration.isil,
        ),
        principal=principal,
        change=Change(
            "registration", str(registration.id), before=before, after=_audited(registration)
        ),
        subject=str(registration.id),
        request_id=request_id,
    )
    if was == "confirmed":
        await promote_waiting(session, seats=seats, principal=principal, request_id=request_id)
    return registration


async def record_attendance(
    session: AsyncSession,
    *,
    principal: Principal,
    registration: Registration,
    attended: bool,
    request_id: str | None,
) -> Registration:
    if registration.status != "confirmed":
        raise NotConfirmed(
            f"Attendance is for confirmed registrations; this one is {registration.status}"
        )
    ts = await session.get(TrainingSession, registration.session_id)
    assert ts is not None
    if ts.status == "cancelled" or utcnow() < ts.starts_at:
        raise AttendanceNotYet("Attendance is recorded once the session has started")
    before = _audited(registration)
    registration.attended = attended
    await trail.record_update(
        session,
        row=registration,
        principal=principal,
        change=Change(
            "registration", str(registration.id), before=before, after=_audited(registration)
        ),
        subject=str(registration.id),
        request_id=request_id,
        event=lambda _: AttendanceRecorded(
            session_id=str(registration.session_id),
            person=registration.person,
            attended=attended,
            isil=registration.isil,
        ),
    )
    return registration
