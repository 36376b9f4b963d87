"""Request and response bodies of self-declarations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, JsonValue

from catalogue_licensing.procurement.questionnaire.schemas import MAX_QUESTIONS
from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel


class DeclarationIn(InputModel):
    answers: dict[str, JsonValue] = Field(
        max_length=MAX_QUESTIONS,
        description='The answer to each question by its id; null, "" or [] is no answer',
        examples=[{"wcag_level": "AA", "dpa_signed": True, "simultaneous_users": 50}],
    )


class DeclarationOut(OutputModel):
    id: uuid.UUID
    round_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    answers: dict[str, Any]
    complete: bool = Field(description="Every required question answered, every answer valid")
    unanswered: list[str] = Field(description="Required questions without an answer")
    invalid: list[str] = Field(
        description="Answers that no longer fit their question (it changed since they were given)"
    )
    version: int
    updated_by: str
    created_at: datetime
    updated_at: datetime


class DeclarationQuery(PageQuery):
    product_id: uuid.UUID | None = Field(None, description="Only this product's")
