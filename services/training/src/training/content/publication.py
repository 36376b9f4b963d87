"""What published content puts in the platform's search, and the index it is put in.

Publishing, changing or withdrawing a course or lesson puts or removes its document in the same
transaction as the change, so search never shows what staff may not read."""

from __future__ import annotations

from search import SearchDocument
from training.content.models import Course, Lesson, Topic

# Published content is for library staff (and trainers): the index's audience for it.
AUDIENCE = "staff"


def course_text(course: Course, topic: Topic) -> SearchDocument:
    return SearchDocument(
        slug=course.slug,
        kind="course",
        lang=course.lang,
        title=course.title,
        body=course.summary,
        tags=tuple(course.tags),
        facets={"topic": topic.slug, "level": course.level, "format": course.format},
        audience=AUDIENCE,
    )


def lesson_text(lesson: Lesson, course: Course, topic: Topic) -> SearchDocument:
    return SearchDocument(
        slug=lesson.slug,
        kind="lesson",
        lang=lesson.lang,
        title=lesson.title,
        body=lesson.body,
        tags=tuple(lesson.tags),
        facets={"topic": topic.slug, "level": course.level, "format": course.format},
        audience=AUDIENCE,
    )


def lesson_is_public(lesson: Lesson, course: Course) -> bool:
    return lesson.status == "published" and course.status == "published"
