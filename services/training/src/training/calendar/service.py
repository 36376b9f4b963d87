"""The feeds' queries: the public calendar's sessions, a person's registrations, and the tokens
that open a person's feed (unguessable, kept as hashes, revocable)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from training.calendar.errors import FeedNotFound, FeedTokenNotFound
from training.calendar.events import FeedTokenCreated, FeedTokenRevoked
from training.calendar.feed import FeedEntry
from training.calendar.models import FeedToken
from training.calendar.schemas import CalendarQuery
from training.content.models import Course, Topic
from training.db import trail
from training.registrations.models import Registration
from training.sessions.models import TrainingSession

# Sessions that ended longer ago than this drop out of the feeds; at most this many are sent.
KEPT_FOR = timedelta(days=90)
MAX_EVENTS = 2000
PUBLIC_STATUS = {"scheduled": "CONFIRMED", "completed": "CONFIRMED", "cancelled": "CANCELLED"}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def public_entries(
    session: AsyncSession, *, query: CalendarQuery
) -> tuple[list[FeedEntry], str]:
    """The public calendar's events (sessions of published courses) and their ETag: the
    sessions' and courses' versions, which every change that shows raises."""
    statement = (
        select(TrainingSession, Course.title, Course.version)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(Course.status == "published", TrainingSession.ends_at >= utcnow() - KEPT_FOR)
        .order_by(TrainingSession.starts_at, TrainingSession.id)
        .limit(MAX_EVENTS)
    )
    if query.topic is not None:
        statement = statement.join(Topic, Topic.id == Course.topic_id).where(
            Topic.slug == query.topic
        )
    for column, value in (
        (TrainingSession.track, query.track),
        (TrainingSession.format, query.format),
        (TrainingSession.language, query.lang),
        (TrainingSession.course_id, query.course_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    rows = (await session.execute(statement)).all()
    digest = hashlib.sha256(query.model_dump_json().encode())
    entries = []
    for ts, title, course_version in rows:
        digest.update(f"{ts.id}:{ts.version}:{course_version};".encode())
        entries.append(
            FeedEntry(
                session=ts,
                course_title=title,
                sequence=ts.version - 1,
                status=PUBLIC_STATUS[ts.status],
            )
        )
    return entries, f'"{digest.hexdigest()[:32]}"'


def _private_entry(ts: TrainingSession, title: str, registration: Registration) -> FeedEntry:
    # Both versions rise with every change the person's calendar shows (the session's times and
    # place, the registration's status), so their sum does too.
    sequence = ts.version - 1 + registration.version - 1
    if ts.status == "cancelled":
        return FeedEntry(ts, title, sequence, "CANCELLED", "The session is cancelled.")
    if registration.status == "cancelled":
        return FeedEntry(ts, title, sequence, "CANCELLED", "You cancelled your registration.")
    if registration.status == "waiting":
        return FeedEntry(ts, title, sequence, "TENTATIVE", "You are on the waiting list.")
    return FeedEntry(ts, title, sequence, "CONFIRMED", "You have a seat.")


async def private_entries(session: AsyncSession, *, token: str) -> tuple[str, list[FeedEntry]]:
    """The person a live token opens the feed of, and their registrations as events."""
    found = await session.scalar(
        select(FeedToken).where(
            FeedToken.token_hash == _hash(token), FeedToken.revoked_at.is_(None)
        )
    )
    if found is None:
        raise FeedNotFound("No calendar feed at this address (revoked, or never made)")
    rows = (
        await session.execute(
            select(TrainingSession, Course.title, Registration)
            .join(Registration, Registration.session_id == TrainingSession.id)
            .join(Course, Course.id == TrainingSession.course_id)
            .where(
                Registration.person == found.person,
                TrainingSession.ends_at >= utcnow() - KEPT_FOR,
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
            .limit(MAX_EVENTS)
        )
    ).all()
    return found.person, [_private_entry(ts, title, r) for ts, title, r in rows]


async def create_token(
    session: AsyncSession, *, principal: Principal, request_id: str | None
) -> tuple[FeedToken, str]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = FeedToken(
        id=uuid7(),
        person=principal.subject,
        token_hash=_hash(token),
        created_at=now,
        revoked_at=None,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await trail.announce(
        session,
        FeedTokenCreated(person=row.person),
        principal=principal,
        change=Change("calendar_feed", str(row.id), before=None, after={"revoked": False}),
        subject=str(row.id),
        request_id=request_id,
    )
    return row, token


async def list_tokens(session: AsyncSession, *, principal: Principal) -> Sequence[FeedToken]:
    query = select(FeedToken).where(FeedToken.person == principal.subject).order_by(FeedToken.id)
    return (await session.scalars(query)).all()


async def get_token(
    session: AsyncSession, *, principal: Principal, feed_id: uuid.UUID
) -> FeedToken:
    found = await session.scalar(
        select(FeedToken).where(FeedToken.id == feed_id, FeedToken.person == principal.subject)
    )
    if found is None:
        raise FeedTokenNotFound(f"No calendar feed {feed_id} of yours")
    return found


async def revoke_token(
    session: AsyncSession, *, principal: Principal, row: FeedToken, request_id: str | None
) -> FeedToken:
    if row.revoked_at is not None:
        return row
    row.revoked_at = utcnow()
    await trail.record_update(
        session,
        row=row,
        principal=principal,
        change=Change(
            "calendar_feed", str(row.id), before={"revoked": False}, after={"revoked": True}
        ),
        subject=str(row.id),
        request_id=request_id,
        event=lambda _: FeedTokenRevoked(person=row.person),
    )
    return row
