"""Learning content tables: topics, courses, their modules and lessons."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from training.db import Base


class Topic(Versioned, Base):
    """What the platform teaches about: the library system, the websites, a licensed product."""

    __tablename__ = "topics"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Course(Versioned, Base):
    __tablename__ = "courses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    topic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("topics.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # The language the title and summary are written in; `languages` are those it is taught in.
    lang: Mapped[str] = mapped_column(String(5))
    # Markdown.
    summary: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(20))
    languages: Mapped[list[str]] = mapped_column(JSONDoc)
    tags: Mapped[list[str]] = mapped_column(JSONDoc)
    # Ids of the catalogue service's products this course teaches (UUIDs as text).
    product_ids: Mapped[list[str]] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # False: a collection of standalone lessons, found through its lessons, not by itself.
    listed: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CourseModule(Versioned, Base):
    """A course's chapter: an ordered group of lessons."""

    __tablename__ = "course_modules"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lesson(Versioned, Base):
    __tablename__ = "lessons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    module_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("course_modules.id"), index=True)
    # The module's course, kept with the lesson so scope and filters need no join through modules.
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(5))
    # Markdown.
    body: Mapped[str] = mapped_column(Text)
    # [{"title", "url"}] and [{"title", "url", "media_type"}], validated by the API schema.
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    tags: Mapped[list[str]] = mapped_column(JSONDoc)
    status: Mapped[str] = mapped_column(String(20), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
