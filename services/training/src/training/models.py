"""Every table of the training service, gathered so migrations and tests see one metadata."""

from training.calendar.models import FeedToken
from training.content.models import Course, CourseModule, Lesson, Topic
from training.db import (
    Base,
    audit_log,
    idempotency,
    jobs,
    metadata,
    outbox,
    search_documents,
    search_state,
)
from training.feedback.models import Feedback
from training.paths.models import LessonCompletion, OnboardingPath
from training.recordings.models import Recording, Subtitles
from training.registrations.models import Registration
from training.sessions.models import SessionSeats, TrainingSession

__all__ = [
    "Base",
    "Course",
    "CourseModule",
    "FeedToken",
    "Feedback",
    "Lesson",
    "LessonCompletion",
    "OnboardingPath",
    "Recording",
    "Registration",
    "SessionSeats",
    "Subtitles",
    "Topic",
    "TrainingSession",
    "audit_log",
    "idempotency",
    "jobs",
    "metadata",
    "outbox",
    "search_documents",
    "search_state",
]
