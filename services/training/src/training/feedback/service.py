"""Rules of feedback: only attendees, once each; aggregates computed in the database."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from training.db import trail
from training.feedback.errors import FeedbackGiven as AlreadyGiven
from training.feedback.errors import NotAnAttendee
from training.feedback.events import FeedbackGiven
from training.feedback.models import Feedback
from training.feedback.schemas import AggregateOut, AggregateQuery, FeedbackIn
from training.registrations.models import Registration
from training.sessions.models import TrainingSession


async def give_feedback(
    session: AsyncSession,
    *,
    principal: Principal,
    ts: TrainingSession,
    body: FeedbackIn,
    request_id: str | None,
) -> Feedback:
    attended = await session.scalar(
        select(Registration.id).where(
            Registration.session_id == ts.id,
            Registration.person == principal.subject,
            Registration.attended.is_(True),
        )
    )
    if attended is None:
        raise NotAnAttendee("Only people recorded as attending the session rate it")
    given = await session.scalar(
        select(Feedback.id).where(
            Feedback.session_id == ts.id, Feedback.person == principal.subject
        )
    )
    if given is not None:
        raise AlreadyGiven("You rated this session already")
    now = utcnow()
    feedback = Feedback(
        id=uuid7(),
        session_id=ts.id,
        person=principal.subject,
        rating=body.rating,
        comment=body.comment,
        created_at=now,
        updated_at=now,
    )
    session.add(feedback)
    await session.flush()
    await trail.announce(
        session,
        FeedbackGiven(
            session_id=str(ts.id),
            course_id=str(ts.course_id),
            trainer_subject=ts.trainer_subject,
            rating=body.rating,
        ),
        principal=principal,
        change=Change(
            "feedback",
            str(feedback.id),
            before=None,
            after={"rating": body.rating, "comment": body.comment},
        ),
        subject=str(feedback.id),
        request_id=request_id,
    )
    return feedback


def _key_column(by: str) -> Any:
    if by == "trainer":
        return TrainingSession.trainer_subject
    column = TrainingSession.course_id if by == "course" else TrainingSession.id
    return cast(column, String)


async def aggregates(
    session: AsyncSession, *, page: AggregateQuery, after: str | None
) -> list[tuple[str, AggregateOut]]:
    """A page of aggregates ordered by their key as the database writes it (the cursor's)."""
    key = _key_column(page.by).label("key")
    counts = [
        func.sum(case((Feedback.rating == n, 1), else_=0)).label(f"r{n}") for n in range(1, 6)
    ]
    query = (
        select(
            key,
            func.count(Feedback.id).label("count"),
            func.avg(Feedback.rating).label("avg"),
            *counts,
        )
        .join(TrainingSession, TrainingSession.id == Feedback.session_id)
        .group_by(key)
        .order_by(key)
        .limit(page.limit + 1)
    )
    for column, value in (
        (TrainingSession.id, page.session_id),
        (TrainingSession.course_id, page.course_id),
        (TrainingSession.trainer_subject, page.trainer),
    ):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(_key_column(page.by) > after)
    rows = (await session.execute(query)).all()
    return [
        (
            row.key,
            AggregateOut(
                by=page.by,
                # SQLite keeps a UUID as 32 hex digits: shown in its usual form either way.
                key=row.key if page.by == "trainer" else str(uuid.UUID(row.key)),
                count=row.count,
                average=round(float(row.avg), 2),
                ratings={str(n): int(getattr(row, f"r{n}")) for n in range(1, 6)},
            ),
        )
        for row in rows
    ]
