"""Rules of paths and progress: steps that exist, drafts for trainers, progress from the lessons a
person completed and the sessions they attended."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from training.content.access import edits_content
from training.content.models import Course, Lesson
from training.content.outline import lessons_of_course
from training.db import trail
from training.paths.errors import DuplicatePathSlug, PathNotFound, UnknownStep
from training.paths.events import LessonCompleted, PathCreated, PathUpdated
from training.paths.models import LessonCompletion, OnboardingPath
from training.paths.printing import course_section, path_page, session_section
from training.paths.schemas import (
    PathIn,
    PathPatch,
    PathQuery,
    ProgressOut,
    StepIn,
    StepProgress,
)
from training.registrations.models import Registration
from training.sessions.models import TrainingSession


async def get_path(
    session: AsyncSession, *, principal: Principal, path_id: uuid.UUID
) -> OnboardingPath:
    query = select(OnboardingPath).where(OnboardingPath.id == path_id)
    if not edits_content(principal):
        query = query.where(OnboardingPath.status == "published")
    found = await session.scalar(query)
    if found is None:
        raise PathNotFound(f"No path {path_id} that you may see")
    return found


async def list_paths(
    session: AsyncSession, *, principal: Principal, page: PathQuery, after: uuid.UUID | None
) -> Sequence[OnboardingPath]:
    query = select(OnboardingPath).order_by(OnboardingPath.id).limit(page.limit + 1)
    if not edits_content(principal):
        query = query.where(OnboardingPath.status == "published")
    if page.slug is not None:
        query = query.where(OnboardingPath.slug == page.slug)
    if after is not None:
        query = query.where(OnboardingPath.id > after)
    return (await session.scalars(query)).all()


async def create_path(
    session: AsyncSession, *, principal: Principal, body: PathIn, request_id: str | None
) -> OnboardingPath:
    if await session.scalar(select(OnboardingPath.id).where(OnboardingPath.slug == body.slug)):
        raise DuplicatePathSlug("slug", f"a path with slug {body.slug} exists already")
    await _require_steps(session, body.steps)
    now = utcnow()
    path = OnboardingPath(
        id=uuid7(),
        slug=body.slug,
        title=body.title,
        description=body.description,
        lang=body.lang,
        steps=[s.model_dump(mode="json") for s in body.steps],
        status=body.status,
        created_at=now,
        updated_at=now,
    )
    session.add(path)
    await session.flush()
    await trail.announce(
        session,
        PathCreated(slug=path.slug, steps=len(path.steps)),
        principal=principal,
        change=Change(
            "path", str(path.id), before=None, after={"slug": path.slug, "steps": path.steps}
        ),
        subject=str(path.id),
        request_id=request_id,
    )
    return path


async def _require_steps(session: AsyncSession, steps: Sequence[StepIn]) -> None:
    for n, step in enumerate(steps):
        model = Course if step.kind == "course" else TrainingSession
        if await session.get(model, step.id) is None:
            raise UnknownStep(f"steps.{n}.id", f"no {step.kind} {step.id}")


def _path_audited(path: OnboardingPath) -> dict[str, object]:
    return {
        "title": path.title,
        "description": path.description,
        "lang": path.lang,
        "steps": list(path.steps),
        "status": path.status,
    }


async def update_path(
    session: AsyncSession,
    *,
    principal: Principal,
    path: OnboardingPath,
    body: PathPatch,
    request_id: str | None,
) -> OnboardingPath:
    """Change a path's fields; new steps must exist, as when it was made."""
    changes = body.sent()
    if body.steps is not None:
        await _require_steps(session, body.steps)
        changes["steps"] = [s.model_dump(mode="json") for s in body.steps]
    before = _path_audited(path)
    for name, value in changes.items():
        setattr(path, name, value)
    await trail.record_update(
        session,
        row=path,
        principal=principal,
        change=Change("path", str(path.id), before=before, after=_path_audited(path)),
        subject=str(path.id),
        request_id=request_id,
        event=lambda changed: PathUpdated(slug=path.slug, status=path.status, changed=changed),
    )
    return path


async def complete_lesson(
    session: AsyncSession, *, principal: Principal, lesson: Lesson, request_id: str | None
) -> LessonCompletion:
    """Mark the lesson done for the caller; done twice is done once (the first time kept)."""
    found = await session.scalar(
        select(LessonCompletion).where(
            LessonCompletion.person == principal.subject, LessonCompletion.lesson_id == lesson.id
        )
    )
    if found is not None:
        return found
    done = LessonCompletion(
        id=uuid7(), person=principal.subject, lesson_id=lesson.id, completed_at=utcnow()
    )
    session.add(done)
    await session.flush()
    await trail.announce(
        session,
        LessonCompleted(lesson_id=str(lesson.id), person=principal.subject),
        principal=principal,
        change=Change(
            "lesson_completion", str(done.id), before=None, after={"lesson": str(lesson.id)}
        ),
        subject=str(done.id),
        request_id=request_id,
    )
    return done


async def progress(
    session: AsyncSession, *, principal: Principal, path: OnboardingPath
) -> ProgressOut:
    completed = set(
        (
            await session.scalars(
                select(LessonCompletion.lesson_id).where(
                    LessonCompletion.person == principal.subject
                )
            )
        ).all()
    )
    steps = []
    for step in path.steps:
        step_id = uuid.UUID(step["id"])
        if step["kind"] == "course":
            course = await session.get(Course, step_id)
            if course is None or (course.status != "published" and not edits_content(principal)):
                continue
            lessons = [
                lesson.id
                for _, lesson in await lessons_of_course(
                    session, principal=principal, course=course
                )
            ]
            finished = sum(1 for lesson_id in lessons if lesson_id in completed)
            steps.append(
                StepProgress(
                    kind="course",
                    id=course.id,
                    title=course.title,
                    done=bool(lessons) and finished == len(lessons),
                    lessons_done=finished,
                    lessons=len(lessons),
                    starts_at=None,
                )
            )
        else:
            ts = await session.get(TrainingSession, step_id)
            if ts is None:
                continue
            attended = await session.scalar(
                select(Registration.id).where(
                    Registration.session_id == ts.id,
                    Registration.person == principal.subject,
                    Registration.attended.is_(True),
                )
            )
            steps.append(
                StepProgress(
                    kind="session",
                    id=ts.id,
                    title=ts.title,
                    done=attended is not None,
                    lessons_done=None,
                    lessons=None,
                    starts_at=ts.starts_at,
                )
            )
    return ProgressOut(
        path_id=path.id,
        person=principal.subject,
        steps=steps,
        done=sum(1 for s in steps if s.done),
        total=len(steps),
    )


async def printed_path(session: AsyncSession, *, principal: Principal, path: OnboardingPath) -> str:
    sections = []
    for step in path.steps:
        step_id = uuid.UUID(step["id"])
        if step["kind"] == "course":
            course = await session.get(Course, step_id)
            if course is None or (course.status != "published" and not edits_content(principal)):
                continue
            outline = await lessons_of_course(session, principal=principal, course=course)
            sections.append(course_section(course, outline, level=2))
        else:
            ts = await session.get(TrainingSession, step_id)
            if ts is not None:
                sections.append(session_section(ts))
    return path_page(path.title, path.lang, path.description, sections)
