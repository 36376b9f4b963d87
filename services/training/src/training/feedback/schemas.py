"""Request and response bodies of feedback and its aggregates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel


class FeedbackIn(InputModel):
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    comment: str = Field(default="", max_length=2000)


class FeedbackOut(OutputModel):
    id: uuid.UUID
    session_id: uuid.UUID
    rating: int
    comment: str
    version: int
    created_at: datetime


class AggregateOut(OutputModel):
    by: str
    key: str = Field(description="The session's or course's id, or the trainer's login")
    count: int
    average: float = Field(description="Mean rating, two decimals")
    ratings: dict[str, int] = Field(description="How many gave each rating, '1' to '5'")


class AggregateQuery(PageQuery):
    by: Literal["session", "course", "trainer"] = "session"
    session_id: uuid.UUID | None = None
    course_id: uuid.UUID | None = None
    trainer: str | None = Field(None, min_length=1, max_length=200)
