"""Which content a caller sees: trainers every draft, everyone else only what is published.

A lesson is published for staff only when its course is published too."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from chassis.auth import Principal
from training.content.models import Course, Lesson

CONTENT_EDITORS = frozenset({"trainer"})


def edits_content(principal: Principal) -> bool:
    return principal.has_any(CONTENT_EDITORS)


def visible_courses(principal: Principal) -> ColumnElement[bool]:
    if edits_content(principal):
        return true()
    return Course.status == "published"


def visible_lessons(principal: Principal) -> ColumnElement[bool]:
    if edits_content(principal):
        return true()
    published_courses = select(Course.id).where(Course.status == "published")
    return (Lesson.status == "published") & Lesson.course_id.in_(published_courses)
