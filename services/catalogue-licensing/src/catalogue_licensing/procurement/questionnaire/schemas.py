"""The questions a questionnaire may hold: yes/no, single and multiple choice, text with a maximum
length, number with bounds, date; required or not; labels in several languages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from catalogue_licensing.agreements.schemas import LanguageCode
from chassis.schemas import InputModel, OutputModel

MAX_QUESTIONS = 200
MAX_OPTIONS = 50
MAX_TEXT_ANSWER = 10_000

QuestionId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
    Field(description="Stable key of the question, the key of its answer", examples=["wcag_level"]),
]
Label = Annotated[
    dict[LanguageCode, Annotated[str, StringConstraints(min_length=1, max_length=2000)]],
    Field(
        min_length=1,
        max_length=10,
        description="The text by language (ISO 639-1)",
        examples=[{"nb": "Oppfyller tjenesten WCAG 2.1 AA?", "en": "Does it meet WCAG 2.1 AA?"}],
    ),
]


class _Question(InputModel):
    id: QuestionId
    label: Label
    required: bool = True


class YesNoQuestion(_Question):
    type: Literal["yes_no"]


class Option(InputModel):
    value: QuestionId
    label: Label


class _ChoiceQuestion(_Question):
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)

    @model_validator(mode="after")
    def _distinct_values(self) -> Self:
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError("the options' values must be distinct")
        return self


class SingleChoiceQuestion(_ChoiceQuestion):
    type: Literal["single_choice"]


class MultipleChoiceQuestion(_ChoiceQuestion):
    type: Literal["multiple_choice"]


class TextQuestion(_Question):
    type: Literal["text"]
    max_length: int = Field(ge=1, le=MAX_TEXT_ANSWER, description="Longest answer, in characters")


class NumberQuestion(_Question):
    type: Literal["number"]
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = Field(False, description="Only whole numbers")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        if self.minimum is not None and self.maximum is not None and self.maximum < self.minimum:
            raise ValueError("maximum must not be below minimum")
        return self


class DateQuestion(_Question):
    type: Literal["date"]
    earliest: date | None = None
    latest: date | None = None

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        if self.earliest is not None and self.latest is not None and self.latest < self.earliest:
            raise ValueError("latest must not be before earliest")
        return self


def _question_type(value: Any) -> str | None:
    found = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return found if isinstance(found, str) else None


# A callable discriminator: the input models' NUL check runs before every field, which a
# field-based discriminator does not allow.
Question = Annotated[
    Annotated[YesNoQuestion, Tag("yes_no")]
    | Annotated[SingleChoiceQuestion, Tag("single_choice")]
    | Annotated[MultipleChoiceQuestion, Tag("multiple_choice")]
    | Annotated[TextQuestion, Tag("text")]
    | Annotated[NumberQuestion, Tag("number")]
    | Annotated[DateQuestion, Tag("date")],
    Discriminator(
        _question_type,
        custom_error_type="question_type",
        custom_error_message="type is one of: yes_no, single_choice, multiple_choice, text, number, date",
    ),
]


class QuestionnaireIn(InputModel):
    questions: list[Question] = Field(max_length=MAX_QUESTIONS)

    @field_validator("questions")
    @classmethod
    def _distinct_ids(cls, questions: list[Any]) -> list[Any]:
        ids = [q.id for q in questions]
        if len(set(ids)) != len(ids):
            doubled = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"question ids must be distinct; repeated: {', '.join(doubled)}")
        return questions


class QuestionnaireOut(OutputModel):
    round_id: uuid.UUID
    questions: list[Question]
    version: int
    updated_by: str
    updated_at: datetime
