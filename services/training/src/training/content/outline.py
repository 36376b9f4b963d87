"""Rules of a course's outline: its ordered modules and their lessons."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from search import SearchIndex
from training.content.access import edits_content, visible_courses, visible_lessons
from training.content.errors import (
    DraftsAreTrainers,
    LessonNotFound,
    ModuleNotFound,
    UnknownReference,
)
from training.content.events import LessonCreated, LessonUpdated, ModuleCreated, ModuleUpdated
from training.content.models import Course, CourseModule, Lesson, Topic
from training.content.publication import lesson_is_public, lesson_text
from training.content.schemas import (
    LessonIn,
    LessonOut,
    LessonPatch,
    LessonQuery,
    ModuleIn,
    ModuleOut,
    ModulePatch,
)
from training.content.service import refuse_taken_slug
from training.db import trail

_STAMPS = {"id", "version", "created_at", "updated_at", "published_at"}


def module_view(module: CourseModule) -> ModuleOut:
    return ModuleOut.model_validate(module)


def lesson_view(lesson: Lesson) -> LessonOut:
    return LessonOut.model_validate(lesson)


def _module_audited(module: CourseModule) -> dict[str, Any]:
    return module_view(module).model_dump(mode="json", exclude=_STAMPS)


def _lesson_audited(lesson: Lesson) -> dict[str, Any]:
    return lesson_view(lesson).model_dump(mode="json", exclude=_STAMPS)


async def list_modules(session: AsyncSession, *, course: Course) -> Sequence[CourseModule]:
    query = (
        select(CourseModule)
        .where(CourseModule.course_id == course.id)
        .order_by(CourseModule.position, CourseModule.id)
    )
    return (await session.scalars(query)).all()


async def get_module(
    session: AsyncSession, *, course: Course, module_id: uuid.UUID
) -> CourseModule:
    module = await session.scalar(
        select(CourseModule).where(
            CourseModule.id == module_id, CourseModule.course_id == course.id
        )
    )
    if module is None:
        raise ModuleNotFound(f"No module {module_id} in course {course.id}")
    return module


async def _next_position(session: AsyncSession, column: Any, parent: Any, key: Any) -> int:
    last = await session.scalar(select(func.max(column)).where(parent == key))
    return int(last or 0) + 1


async def create_module(
    session: AsyncSession,
    *,
    principal: Principal,
    course: Course,
    body: ModuleIn,
    request_id: str | None,
    module_id: uuid.UUID | None = None,
) -> CourseModule:
    now = utcnow()
    position = body.position or await _next_position(
        session, CourseModule.position, CourseModule.course_id, course.id
    )
    module = CourseModule(
        id=module_id or uuid7(),
        course_id=course.id,
        position=position,
        title=body.title,
        created_at=now,
        updated_at=now,
    )
    session.add(module)
    await session.flush()
    await trail.announce(
        session,
        ModuleCreated(course_id=str(course.id)),
        principal=principal,
        change=Change("module", str(module.id), before=None, after=_module_audited(module)),
        subject=str(module.id),
        request_id=request_id,
    )
    return module


async def update_module(
    session: AsyncSession,
    *,
    principal: Principal,
    module: CourseModule,
    body: ModulePatch,
    request_id: str | None,
) -> CourseModule:
    before = _module_audited(module)
    for name, value in body.sent().items():
        setattr(module, name, value)
    await trail.record_update(
        session,
        row=module,
        principal=principal,
        change=Change("module", str(module.id), before=before, after=_module_audited(module)),
        subject=str(module.id),
        request_id=request_id,
        event=lambda changed: ModuleUpdated(changed=changed),
    )
    return module


async def get_lesson(
    session: AsyncSession, *, principal: Principal, lesson_id: uuid.UUID
) -> Lesson:
    lesson = await session.scalar(
        select(Lesson).where(Lesson.id == lesson_id, visible_lessons(principal))
    )
    if lesson is None:
        raise LessonNotFound(f"No lesson {lesson_id} that you may see")
    return lesson


async def list_lessons(
    session: AsyncSession,
    *,
    principal: Principal,
    page: LessonQuery,
    after: uuid.UUID | None,
) -> Sequence[Lesson]:
    if page.status == "draft" and not edits_content(principal):
        raise DraftsAreTrainers("Only trainers see draft lessons")
    query = (
        select(Lesson).where(visible_lessons(principal)).order_by(Lesson.id).limit(page.limit + 1)
    )
    for column, value in (
        (Lesson.course_id, page.course_id),
        (Lesson.module_id, page.module_id),
        (Lesson.lang, page.lang),
        (Lesson.slug, page.slug),
        (Lesson.status, page.status),
    ):
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(Lesson.id > after)
    return (await session.scalars(query)).all()


async def lessons_of_course(
    session: AsyncSession, *, principal: Principal, course: Course
) -> Sequence[tuple[CourseModule, Lesson]]:
    """The course's visible lessons in reading order, each with its module."""
    query = (
        select(CourseModule, Lesson)
        .join(Lesson, Lesson.module_id == CourseModule.id)
        .where(CourseModule.course_id == course.id, visible_lessons(principal))
        .order_by(CourseModule.position, CourseModule.id, Lesson.position, Lesson.id)
    )
    return [(m, lesson) for m, lesson in (await session.execute(query)).all()]


async def _sync_lesson(
    session: AsyncSession, *, index: SearchIndex, lesson: Lesson, course: Course
) -> None:
    if lesson_is_public(lesson, course):
        topic = await session.get(Topic, course.topic_id)
        assert topic is not None
        await index.put(session, lesson_text(lesson, course, topic))
    else:
        await index.remove(session, lesson.slug)


async def create_lesson(
    session: AsyncSession,
    *,
    principal: Principal,
    body: LessonIn,
    index: SearchIndex,
    request_id: str | None,
    lesson_id: uuid.UUID | None = None,
) -> Lesson:
    module = await session.get(CourseModule, body.module_id)
    if module is None:
        raise UnknownReference("module_id", f"no module {body.module_id}")
    course = await session.scalar(
        select(Course).where(Course.id == module.course_id, visible_courses(principal))
    )
    assert course is not None
    await refuse_taken_slug(session, body.slug)
    now = utcnow()
    position = body.position or await _next_position(
        session, Lesson.position, Lesson.module_id, module.id
    )
    values = body.model_dump(mode="json", exclude={"position", "module_id"})
    lesson = Lesson(
        id=lesson_id or uuid7(),
        module_id=module.id,
        course_id=course.id,
        position=position,
        **values,
        published_at=now if body.status == "published" else None,
        created_at=now,
        updated_at=now,
    )
    session.add(lesson)
    await session.flush()
    await trail.announce(
        session,
        LessonCreated(slug=lesson.slug, status=lesson.status),
        principal=principal,
        change=Change("lesson", str(lesson.id), before=None, after=_lesson_audited(lesson)),
        subject=str(lesson.id),
        request_id=request_id,
    )
    await _sync_lesson(session, index=index, lesson=lesson, course=course)
    return lesson


async def update_lesson(
    session: AsyncSession,
    *,
    principal: Principal,
    lesson: Lesson,
    body: LessonPatch,
    index: SearchIndex,
    request_id: str | None,
) -> Lesson:
    before = _lesson_audited(lesson)
    for name, value in body.sent().items():
        setattr(lesson, name, value)
    if lesson.status == "published" and before["status"] != "published":
        lesson.published_at = utcnow()
    changed = await trail.record_update(
        session,
        row=lesson,
        principal=principal,
        change=Change("lesson", str(lesson.id), before=before, after=_lesson_audited(lesson)),
        subject=str(lesson.id),
        request_id=request_id,
        event=lambda changed: LessonUpdated(
            slug=lesson.slug, status=lesson.status, changed=changed
        ),
    )
    if changed:
        course = await session.get(Course, lesson.course_id)
        assert course is not None
        await _sync_lesson(session, index=index, lesson=lesson, course=course)
    return lesson
