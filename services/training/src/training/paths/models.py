"""Paths and the lessons each person has completed (progress is computed from them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from training.db import Base


class OnboardingPath(Versioned, Base):
    __tablename__ = "onboarding_paths"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(5))
    # Ordered [{"kind": "course" | "session", "id": "<uuid>"}], checked by the service.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LessonCompletion(Base):
    """A person finished a lesson (written once, never changed: not versioned)."""

    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("person", "lesson_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person: Mapped[str] = mapped_column(String(200), index=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lessons.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
