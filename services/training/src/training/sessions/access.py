"""Which sessions a caller sees: trainers every one, everyone else (anonymous included) those of
published courses: the public calendar."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select, true

from chassis.auth import Principal
from training.content.models import Course
from training.sessions.models import TrainingSession

SESSION_MANAGERS = frozenset({"trainer"})


def manages_sessions(principal: Principal | None) -> bool:
    return principal is not None and principal.has_any(SESSION_MANAGERS)


def visible_sessions(principal: Principal | None) -> ColumnElement[bool]:
    if manages_sessions(principal):
        return true()
    return TrainingSession.course_id.in_(select(Course.id).where(Course.status == "published"))
