"""Answers checked against their questions: each wrong one is named by its question, with the
rule it breaks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from catalogue_licensing.procurement.questionnaire.schemas import (
    DateQuestion,
    MultipleChoiceQuestion,
    NumberQuestion,
    Question,
    SingleChoiceQuestion,
    TextQuestion,
    YesNoQuestion,
)
from chassis.problems import FieldError, body_field_error

# (message, kind) when an answer breaks its question's rule, else None.
Verdict = tuple[str, str] | None


def _yes_no(question: YesNoQuestion, value: Any) -> Verdict:
    return None if isinstance(value, bool) else ("a yes/no answer is true or false", "answer_type")


def _options(question: SingleChoiceQuestion | MultipleChoiceQuestion) -> list[str]:
    return [o.value for o in question.options]


def _single(question: SingleChoiceQuestion, value: Any) -> Verdict:
    if not isinstance(value, str):
        return ("a single-choice answer is one option's value (a string)", "answer_type")
    if value not in _options(question):
        return (f"not an option; one of: {', '.join(_options(question))}", "answer_not_an_option")
    return None


def _multiple(question: MultipleChoiceQuestion, value: Any) -> Verdict:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return ("a multiple-choice answer is a list of option values", "answer_type")
    unknown = sorted(set(value) - set(_options(question)))
    if unknown:
        return (f"not options: {', '.join(unknown)}", "answer_not_an_option")
    if len(set(value)) != len(value):
        return ("an option is chosen at most once", "answer_repeated_option")
    return None


def _text(question: TextQuestion, value: Any) -> Verdict:
    if not isinstance(value, str):
        return ("a text answer is a string", "answer_type")
    if len(value) > question.max_length:
        return (f"at most {question.max_length} characters (got {len(value)})", "answer_too_long")
    return None


def _number(question: NumberQuestion, value: Any) -> Verdict:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ("a number answer is a number", "answer_type")
    if question.integer and not isinstance(value, int):
        return ("a whole number is expected", "answer_not_integer")
    if question.minimum is not None and value < question.minimum:
        return (f"must be at least {question.minimum:g}", "answer_below_minimum")
    if question.maximum is not None and value > question.maximum:
        return (f"must be at most {question.maximum:g}", "answer_above_maximum")
    return None


def _date(question: DateQuestion, value: Any) -> Verdict:
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return ("a date answer is a date, YYYY-MM-DD", "answer_type")
    if question.earliest is not None and day < question.earliest:
        return (f"must not be before {question.earliest}", "answer_too_early")
    if question.latest is not None and day > question.latest:
        return (f"must not be after {question.latest}", "answer_too_late")
    return None


_CHECKS: dict[type[Any], Callable[[Any, Any], Verdict]] = {
    YesNoQuestion: _yes_no,
    SingleChoiceQuestion: _single,
    MultipleChoiceQuestion: _multiple,
    TextQuestion: _text,
    NumberQuestion: _number,
    DateQuestion: _date,
}


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def wrong_answers(questions: list[Question], answers: Mapping[str, Any]) -> list[FieldError]:
    """A field error per wrong answer (`answers.<question id>`), and one per unknown question.
    A blank answer (null, "" or []) is no answer: it leaves a required question unanswered."""
    by_id = {q.id: q for q in questions}
    errors: list[FieldError] = []
    for key, value in answers.items():
        question = by_id.get(key)
        if question is None:
            errors.append(
                body_field_error(f"answers.{key}", "no such question", "unknown_question")
            )
            continue
        if _blank(value):
            continue
        verdict = _CHECKS[type(question)](question, value)
        if verdict is not None:
            errors.append(body_field_error(f"answers.{key}", *verdict))
    return errors


def unanswered(questions: list[Question], answers: Mapping[str, Any]) -> list[str]:
    """The required questions without an answer, in the questionnaire's order."""
    return [q.id for q in questions if q.required and _blank(answers.get(q.id))]


def still_valid(questions: list[Question], answers: Mapping[str, Any]) -> list[str]:
    """Questions whose stored answer no longer fits (the questionnaire changed since)."""
    return sorted(
        {e.location.removeprefix("body.answers.") for e in wrong_answers(questions, answers)}
    )
