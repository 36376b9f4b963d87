"""Rules of topics and courses: unique slugs, drafts for trainers only, search kept in step."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from search import SearchIndex
from training.content.access import edits_content, visible_courses
from training.content.errors import (
    CourseNotFound,
    DraftsAreTrainers,
    DuplicateSlug,
    TopicNotFound,
    UnknownReference,
)
from training.content.events import CourseCreated, CourseUpdated, TopicCreated, TopicUpdated
from training.content.followers import FOLLOWERS
from training.content.jsonlist import json_list_has
from training.content.models import Course, Lesson, Topic
from training.content.publication import course_text, lesson_is_public, lesson_text
from training.content.schemas import (
    CourseIn,
    CourseOut,
    CoursePatch,
    CourseQuery,
    TopicIn,
    TopicOut,
    TopicPatch,
)
from training.db import trail


def topic_view(topic: Topic) -> TopicOut:
    return TopicOut.model_validate(topic)


def course_view(course: Course) -> CourseOut:
    return CourseOut.model_validate(course)


_STAMPS = {"id", "version", "created_at", "updated_at", "published_at"}


async def refuse_taken_slug(session: AsyncSession, slug: str) -> None:
    """Courses and lessons share one namespace of slugs: the search index and partners key
    items by slug alone."""
    for model in (Course, Lesson):
        if await session.scalar(select(model.id).where(model.slug == slug)) is not None:
            raise DuplicateSlug("slug", f"the slug {slug} is taken by a course or lesson")


async def get_topic(session: AsyncSession, *, topic_id: uuid.UUID) -> Topic:
    topic = await session.get(Topic, topic_id)
    if topic is None:
        raise TopicNotFound(f"No topic {topic_id}")
    return topic


async def list_topics(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[Topic]:
    query = select(Topic).order_by(Topic.id).limit(limit)
    if after is not None:
        query = query.where(Topic.id > after)
    return (await session.scalars(query)).all()


async def create_topic(
    session: AsyncSession,
    *,
    principal: Principal,
    body: TopicIn,
    request_id: str | None,
    topic_id: uuid.UUID | None = None,
) -> Topic:
    if await session.scalar(select(Topic.id).where(Topic.slug == body.slug)) is not None:
        raise DuplicateSlug("slug", f"a topic with slug {body.slug} exists already")
    now = utcnow()
    topic = Topic(
        id=topic_id or uuid7(),
        slug=body.slug,
        name=body.name,
        description=body.description,
        created_at=now,
        updated_at=now,
    )
    session.add(topic)
    await session.flush()
    await trail.announce(
        session,
        TopicCreated(slug=topic.slug),
        principal=principal,
        change=Change("topic", str(topic.id), before=None, after=_topic_audited(topic)),
        subject=str(topic.id),
        request_id=request_id,
    )
    return topic


def _topic_audited(topic: Topic) -> dict[str, Any]:
    return topic_view(topic).model_dump(mode="json", exclude=_STAMPS)


async def update_topic(
    session: AsyncSession,
    *,
    principal: Principal,
    topic: Topic,
    body: TopicPatch,
    request_id: str | None,
) -> Topic:
    before = _topic_audited(topic)
    for name, value in body.sent().items():
        setattr(topic, name, value)
    await trail.record_update(
        session,
        row=topic,
        principal=principal,
        change=Change("topic", str(topic.id), before=before, after=_topic_audited(topic)),
        subject=str(topic.id),
        request_id=request_id,
        event=lambda changed: TopicUpdated(changed=changed),
    )
    return topic


async def get_course(
    session: AsyncSession, *, principal: Principal, course_id: uuid.UUID
) -> Course:
    """The course, if the caller may see it: a draft is 404 to staff, as if it did not exist."""
    course = await session.scalar(
        select(Course).where(Course.id == course_id, visible_courses(principal))
    )
    if course is None:
        raise CourseNotFound(f"No course {course_id} that you may see")
    return course


async def list_courses(
    session: AsyncSession,
    *,
    principal: Principal,
    page: CourseQuery,
    after: uuid.UUID | None,
) -> Sequence[Course]:
    if page.status == "draft" and not edits_content(principal):
        raise DraftsAreTrainers("Only trainers see draft courses")
    query = (
        select(Course).where(visible_courses(principal)).order_by(Course.id).limit(page.limit + 1)
    )
    if page.topic is not None:
        query = query.join(Topic, Topic.id == Course.topic_id).where(Topic.slug == page.topic)
    for column, value in (
        (Course.level, page.level),
        (Course.format, page.format),
        (Course.slug, page.slug),
        (Course.status, page.status),
    ):
        if value is not None:
            query = query.where(column == value)
    # Languages and tags are JSON lists, filtered in the query too: the page's limit counts
    # only courses that match, so a page is short only at the end.
    if page.lang is not None:
        query = query.where(
            or_(Course.lang == page.lang, json_list_has(Course.languages, page.lang))
        )
    if page.tag is not None:
        query = query.where(json_list_has(Course.tags, page.tag))
    return (await session.scalars(query.where(Course.id > after) if after else query)).all()


async def _require_topic(session: AsyncSession, topic_id: uuid.UUID) -> Topic:
    topic = await session.get(Topic, topic_id)
    if topic is None:
        raise UnknownReference("topic_id", f"no topic {topic_id}")
    return topic


def _course_audited(course: Course) -> dict[str, Any]:
    return course_view(course).model_dump(mode="json", exclude=_STAMPS)


async def sync_course(session: AsyncSession, *, index: SearchIndex, course: Course) -> None:
    """Put the course and its lessons in the search index when staff may read them, else
    take them out (in the caller's transaction)."""
    topic = await session.get(Topic, course.topic_id)
    assert topic is not None
    if course.status == "published" and course.listed:
        await index.put(session, course_text(course, topic))
    else:
        await index.remove(session, course.slug)
    lessons = (await session.scalars(select(Lesson).where(Lesson.course_id == course.id))).all()
    for lesson in lessons:
        if lesson_is_public(lesson, course):
            await index.put(session, lesson_text(lesson, course, topic))
        else:
            await index.remove(session, lesson.slug)
    await FOLLOWERS.synced(session, index=index, course=course, topic=topic)


async def create_course(
    session: AsyncSession,
    *,
    principal: Principal,
    body: CourseIn,
    index: SearchIndex,
    request_id: str | None,
    course_id: uuid.UUID | None = None,
) -> Course:
    await _require_topic(session, body.topic_id)
    await refuse_taken_slug(session, body.slug)
    now = utcnow()
    values = body.model_dump(mode="json")
    values["topic_id"] = body.topic_id
    course = Course(
        id=course_id or uuid7(),
        **values,
        published_at=now if body.status == "published" else None,
        created_at=now,
        updated_at=now,
    )
    session.add(course)
    await session.flush()
    await trail.announce(
        session,
        CourseCreated(slug=course.slug, status=course.status),
        principal=principal,
        change=Change("course", str(course.id), before=None, after=_course_audited(course)),
        subject=str(course.id),
        request_id=request_id,
    )
    await sync_course(session, index=index, course=course)
    return course


async def update_course(
    session: AsyncSession,
    *,
    principal: Principal,
    course: Course,
    body: CoursePatch,
    index: SearchIndex,
    request_id: str | None,
) -> Course:
    changes = body.sent()
    if "topic_id" in changes:
        changes["topic_id"] = (await _require_topic(session, body.topic_id or uuid.uuid4())).id
    before = _course_audited(course)
    for name, value in changes.items():
        setattr(course, name, value)
    if changes.get("status") == "published" and before["status"] != "published":
        course.published_at = utcnow()
    changed = await trail.record_update(
        session,
        row=course,
        principal=principal,
        change=Change("course", str(course.id), before=before, after=_course_audited(course)),
        subject=str(course.id),
        request_id=request_id,
        event=lambda changed: CourseUpdated(
            slug=course.slug, status=course.status, changed=changed
        ),
    )
    if changed:
        await sync_course(session, index=index, course=course)
    return course
