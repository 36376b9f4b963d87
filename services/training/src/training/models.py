"""Every table of the training service, gathered so migrations and tests see one metadata."""

from training.content.models import Course, CourseModule, Lesson, Topic
from training.db import Base, audit_log, idempotency, jobs, metadata, outbox

__all__ = [
    "Base",
    "Course",
    "CourseModule",
    "Lesson",
    "Topic",
    "audit_log",
    "idempotency",
    "jobs",
    "metadata",
    "outbox",
]
