"""Rules of sessions: times in a named zone, a place for the format, seats never below the
confirmed, cancellation and completion."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from training.content.models import Course, Topic
from training.db import trail
from training.sessions.access import visible_sessions
from training.sessions.errors import (
    CapacityBelowConfirmed,
    FormatNeedsPlace,
    SessionNotFound,
    SessionNotScheduled,
    UnknownCourse,
)
from training.sessions.events import (
    SessionCancelled,
    SessionCompleted,
    SessionScheduled,
    SessionUpdated,
)
from training.sessions.followers import FOLLOWERS
from training.sessions.models import SessionSeats, TrainingSession
from training.sessions.schedule import ScheduleIn, checked_schedule
from training.sessions.schemas import (
    CapacityIn,
    SeatsOut,
    SessionIn,
    SessionOut,
    SessionPatch,
    SessionQuery,
)
from training.zones import in_zone

# What each format needs: (the seats it has, whether a venue and an online link are required).
NEEDS: dict[str, tuple[frozenset[str], bool, bool]] = {
    "webinar": (frozenset({"online"}), False, True),
    "classroom": (frozenset({"in_person"}), True, False),
    "hybrid": (frozenset({"in_person", "online"}), True, True),
}
_STAMPS = {"id", "version", "created_at", "updated_at", "seats", "local_start", "local_end"}


def session_view(ts: TrainingSession, seats: Sequence[SessionSeats]) -> SessionOut:
    return SessionOut.model_validate(
        {
            **{c.key: getattr(ts, c.key) for c in TrainingSession.__table__.columns},
            "local_start": in_zone(ts.starts_at, ts.time_zone),
            "local_end": in_zone(ts.ends_at, ts.time_zone),
            "seats": [
                SeatsOut(
                    mode=s.mode,
                    capacity=s.capacity,
                    confirmed=s.confirmed,
                    available=max(s.capacity - s.confirmed, 0),
                )
                for s in sorted(seats, key=lambda s: s.mode)
            ],
        }
    )


def _audited(ts: TrainingSession, seats: Sequence[SessionSeats]) -> dict[str, Any]:
    audited = session_view(ts, seats).model_dump(mode="json", exclude=_STAMPS)
    audited["capacity"] = {s.mode: s.capacity for s in seats}
    return audited


async def seats_of(
    session: AsyncSession, *, session_id: uuid.UUID, lock: bool = False
) -> list[SessionSeats]:
    """The session's seats; `lock` takes their rows for this transaction (FOR UPDATE)."""
    query = select(SessionSeats).where(SessionSeats.session_id == session_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list((await session.scalars(query.order_by(SessionSeats.mode))).all())


async def get_session(
    session: AsyncSession, *, principal: Principal | None, session_id: uuid.UUID
) -> TrainingSession:
    found = await session.scalar(
        select(TrainingSession).where(TrainingSession.id == session_id, visible_sessions(principal))
    )
    if found is None:
        raise SessionNotFound(f"No session {session_id} that you may see")
    return found


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


async def list_sessions(
    session: AsyncSession,
    *,
    principal: Principal | None,
    page: SessionQuery,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[tuple[TrainingSession, list[SessionSeats]]]:
    """A page of sessions by start time, each with its seats."""
    query = (
        select(TrainingSession)
        .where(visible_sessions(principal))
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(page.limit + 1)
    )
    if page.topic is not None:
        query = (
            query.join(Course, Course.id == TrainingSession.course_id)
            .join(Topic, Topic.id == Course.topic_id)
            .where(Topic.slug == page.topic)
        )
    for column, value in (
        (TrainingSession.course_id, page.course_id),
        (TrainingSession.track, page.track),
        (TrainingSession.format, page.format),
        (TrainingSession.language, page.lang),
        (TrainingSession.status, page.status),
    ):
        if value is not None:
            query = query.where(column == value)
    if page.starts_from is not None:
        query = query.where(TrainingSession.starts_at >= _day_start(page.starts_from))
    if page.starts_before is not None:
        query = query.where(TrainingSession.starts_at < _day_start(page.starts_before))
    if after is not None:
        query = query.where(tuple_(TrainingSession.starts_at, TrainingSession.id) > after)
    found = list((await session.scalars(query)).all())
    seats = (
        await session.scalars(
            select(SessionSeats).where(SessionSeats.session_id.in_([s.id for s in found]))
        )
    ).all()
    by_session: dict[uuid.UUID, list[SessionSeats]] = {}
    for s in seats:
        by_session.setdefault(s.session_id, []).append(s)
    return [(s, by_session.get(s.id, [])) for s in found]


def _check_place(
    *, format_: str, venue: object, online_url: str | None, capacity: CapacityIn
) -> dict[str, int]:
    """The seats per mode the format has; a problem naming the field when something is missing
    or does not belong to the format."""
    modes, needs_venue, needs_link = NEEDS[format_]
    if needs_venue and venue is None:
        raise FormatNeedsPlace("venue", f"a {format_} session takes place at a venue")
    if needs_link and online_url is None:
        raise FormatNeedsPlace("online_url", f"a {format_} session has an online link")
    seats = {m: n for m, n in capacity.model_dump().items() if n is not None}
    for mode in sorted(modes - set(seats)):
        raise FormatNeedsPlace(f"capacity.{mode}", f"a {format_} session has {mode} seats")
    for mode in sorted(set(seats) - modes):
        raise FormatNeedsPlace(f"capacity.{mode}", f"a {format_} session has no {mode} seats")
    return seats


async def create_session(
    session: AsyncSession,
    *,
    principal: Principal,
    body: SessionIn,
    request_id: str | None,
    session_id: uuid.UUID | None = None,
) -> tuple[TrainingSession, list[SessionSeats]]:
    course = await session.get(Course, body.course_id)
    if course is None:
        raise UnknownCourse("course_id", f"no course {body.course_id}")
    now = utcnow()
    schedule = checked_schedule(
        ScheduleIn(
            body.time_zone,
            body.starts_at,
            body.ends_at,
            body.registration_opens_at,
            body.registration_closes_at,
        ),
        now=now,
    )
    capacity = _check_place(
        format_=body.format, venue=body.venue, online_url=body.online_url, capacity=body.capacity
    )
    ts = TrainingSession(
        id=session_id or uuid7(),
        course_id=course.id,
        track=body.track or ("starter" if course.level == "starter" else "in-depth"),
        title=body.title or course.title,
        starts_at=schedule.starts_at,
        ends_at=schedule.ends_at,
        time_zone=schedule.time_zone,
        format=body.format,
        venue=body.venue.model_dump() if body.venue else None,
        online_url=body.online_url,
        language=body.language,
        trainer_subject=body.trainer_subject or principal.subject,
        trainer_name=body.trainer_name,
        registration_opens_at=schedule.registration_opens_at,
        registration_closes_at=schedule.registration_closes_at,
        status="scheduled",
        notes=body.notes,
        created_at=now,
        updated_at=now,
    )
    session.add(ts)
    await session.flush()
    seats = [
        SessionSeats(session_id=ts.id, mode=mode, capacity=n, confirmed=0, arrivals=0)
        for mode, n in sorted(capacity.items())
    ]
    session.add_all(seats)
    await session.flush()
    await trail.announce(
        session,
        SessionScheduled(
            course_id=str(course.id),
            track=ts.track,
            format=ts.format,
            starts_at=ts.starts_at,
            ends_at=ts.ends_at,
            time_zone=ts.time_zone,
            language=ts.language,
            trainer_subject=ts.trainer_subject,
            capacity=capacity,
        ),
        principal=principal,
        change=Change("session", str(ts.id), before=None, after=_audited(ts, seats)),
        subject=str(ts.id),
        request_id=request_id,
    )
    return ts, seats


def _rescheduled(ts: TrainingSession, changes: dict[str, Any], *, now: datetime) -> None:
    """Apply new times or zone: times not sent keep their wall-clock time in the (new) zone."""
    time_fields = (
        "time_zone",
        "starts_at",
        "ends_at",
        "registration_opens_at",
        "registration_closes_at",
    )
    if not set(time_fields) & set(changes):
        return

    def local(name: str) -> datetime:
        value = changes.get(name)
        if value is not None:
            return datetime.fromisoformat(value)
        return in_zone(getattr(ts, name), ts.time_zone).replace(tzinfo=None)

    schedule = checked_schedule(
        ScheduleIn(
            changes.get("time_zone", ts.time_zone),
            local("starts_at"),
            local("ends_at"),
            local("registration_opens_at"),
            local("registration_closes_at"),
        ),
        now=now,
    )
    ts.time_zone = schedule.time_zone
    ts.starts_at = schedule.starts_at
    ts.ends_at = schedule.ends_at
    ts.registration_opens_at = schedule.registration_opens_at
    ts.registration_closes_at = schedule.registration_closes_at


async def _recapacitate(
    session: AsyncSession,
    *,
    ts: TrainingSession,
    capacity: dict[str, int],
    principal: Principal,
    request_id: str | None,
) -> list[SessionSeats]:
    """New seat counts, their rows locked: never below the confirmed; growth promotes."""
    seats = await seats_of(session, session_id=ts.id, lock=True)
    grown = []
    for row in seats:
        wanted = capacity[row.mode]
        if wanted < row.confirmed:
            raise CapacityBelowConfirmed(
                f"capacity.{row.mode}",
                f"{row.confirmed} people are confirmed already; capacity cannot go below that",
            )
        if wanted > row.capacity:
            grown.append(row)
        row.capacity = wanted
    await session.flush()
    for row in grown:
        await FOLLOWERS.seats_grew(session, seats=row, principal=principal, request_id=request_id)
    return seats


async def update_session(
    session: AsyncSession,
    *,
    principal: Principal,
    ts: TrainingSession,
    body: SessionPatch,
    request_id: str | None,
) -> tuple[TrainingSession, list[SessionSeats]]:
    changes = body.sent()
    if ts.status != "scheduled":
        raise SessionNotScheduled(f"The session is {ts.status}; it can no longer change")
    seats = await seats_of(session, session_id=ts.id)
    before = _audited(ts, seats)
    now = utcnow()
    _rescheduled(ts, changes, now=now)
    for name in ("title", "language", "trainer_name", "notes", "online_url", "status"):
        if name in changes:
            setattr(ts, name, changes[name])
    if "venue" in changes:
        ts.venue = changes["venue"]
    capacity = body.capacity or CapacityIn(**{s.mode: s.capacity for s in seats})
    checked = _check_place(
        format_=ts.format, venue=ts.venue, online_url=ts.online_url, capacity=capacity
    )
    if body.capacity is not None:
        seats = await _recapacitate(
            session, ts=ts, capacity=checked, principal=principal, request_id=request_id
        )

    def event(changed: list[str]) -> SessionUpdated | SessionCancelled | SessionCompleted:
        if ts.status == "cancelled":
            return SessionCancelled(
                course_id=str(ts.course_id),
                starts_at=ts.starts_at,
                confirmed=sum(s.confirmed for s in seats),
            )
        if ts.status == "completed":
            return SessionCompleted(course_id=str(ts.course_id))
        return SessionUpdated(changed=changed)

    await trail.record_update(
        session,
        row=ts,
        principal=principal,
        change=Change("session", str(ts.id), before=before, after=_audited(ts, seats)),
        subject=str(ts.id),
        request_id=request_id,
        event=event,
    )
    return ts, seats
