"""Request and response bodies of paths and progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from training.vocabulary import Language, PublicationStatus, Slug


class StepIn(InputModel):
    kind: Literal["course", "session"]
    id: uuid.UUID


class PathIn(InputModel):
    slug: Slug
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000, description="Markdown")
    lang: Language
    steps: list[StepIn] = Field(min_length=1, max_length=50)
    status: PublicationStatus = "draft"


class PathPatch(PatchModel):
    """Fields to change; `steps` replaces the whole ordered list, `status` publishes or withdraws."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000, description="Markdown")
    lang: Language | None = None
    steps: list[StepIn] | None = Field(default=None, min_length=1, max_length=50)
    status: PublicationStatus | None = None


class StepOut(OutputModel):
    kind: str
    id: uuid.UUID


class PathOut(OutputModel):
    id: uuid.UUID
    slug: str
    title: str
    description: str
    lang: str
    steps: list[StepOut]
    status: str
    version: int
    created_at: datetime


class StepProgress(OutputModel):
    kind: str
    id: uuid.UUID
    title: str
    done: bool
    lessons_done: int | None = Field(description="Courses: lessons completed")
    lessons: int | None = Field(description="Courses: lessons in all")
    starts_at: datetime | None = Field(description="Sessions: when it starts")


class ProgressOut(OutputModel):
    path_id: uuid.UUID
    person: str
    steps: list[StepProgress]
    done: int
    total: int


class CompletionOut(OutputModel):
    lesson_id: uuid.UUID
    person: str
    completed_at: datetime


class PathQuery(PageQuery):
    slug: Slug | None = None
