"""What published content puts in the platform's search, and the index it is put in.

Publishing, changing or withdrawing a course or lesson puts or removes its document in the same
transaction as the change, so search never shows what staff may not read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from training.content.models import Course, Lesson, Topic


@dataclass(frozen=True)
class PublishedText:
    """One searchable item: its external id, kind, language, text and filter values."""

    slug: str
    kind: str
    lang: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    facets: Mapping[str, str] = field(default_factory=dict)


class ContentIndex(Protocol):
    """Where published items are put; the search mechanism's index behind an adapter."""

    async def put(self, session: AsyncSession, item: PublishedText) -> None: ...

    async def remove(self, session: AsyncSession, slug: str) -> None: ...


def course_text(course: Course, topic: Topic) -> PublishedText:
    return PublishedText(
        slug=course.slug,
        kind="course",
        lang=course.lang,
        title=course.title,
        body=course.summary,
        tags=tuple(course.tags),
        facets={"topic": topic.slug, "level": course.level, "format": course.format},
    )


def lesson_text(lesson: Lesson, course: Course, topic: Topic) -> PublishedText:
    return PublishedText(
        slug=lesson.slug,
        kind="lesson",
        lang=lesson.lang,
        title=lesson.title,
        body=lesson.body,
        tags=tuple(lesson.tags),
        facets={"topic": topic.slug, "level": course.level, "format": course.format},
    )


def lesson_is_public(lesson: Lesson, course: Course) -> bool:
    return lesson.status == "published" and course.status == "published"
