"""Rules of questionnaires: set whole by the programme, frozen once the round is open."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.procurement.questionnaire.errors import (
    QuestionnaireFrozen,
    QuestionnaireNotFound,
)
from catalogue_licensing.procurement.questionnaire.events import QuestionnaireSet
from catalogue_licensing.procurement.questionnaire.models import Questionnaire
from catalogue_licensing.procurement.questionnaire.schemas import (
    Question,
    QuestionnaireIn,
    QuestionnaireOut,
)
from catalogue_licensing.procurement.rounds.models import ProcurementRound
from catalogue_licensing.procurement.rounds.states import RoundState
from chassis.audit import Change
from chassis.auth import Principal
from chassis.types import utcnow

# Before the round opens the programme may still change its questions.
EDITABLE = frozenset({RoundState.draft, RoundState.announced})
_QUESTIONS: TypeAdapter[list[Question]] = TypeAdapter(list[Question])


def questionnaire_view(questionnaire: Questionnaire) -> QuestionnaireOut:
    return QuestionnaireOut.model_validate(questionnaire)


def questions_of(questionnaire: Questionnaire | None) -> list[Question]:
    """The typed questions (none when the round has no questionnaire)."""
    if questionnaire is None:
        return []
    return _QUESTIONS.validate_python(questionnaire.questions)


async def find_questionnaire(session: AsyncSession, *, round_id: uuid.UUID) -> Questionnaire | None:
    return await session.scalar(select(Questionnaire).where(Questionnaire.round_id == round_id))


async def get_questionnaire(session: AsyncSession, *, round_id: uuid.UUID) -> Questionnaire:
    questionnaire = await find_questionnaire(session, round_id=round_id)
    if questionnaire is None:
        raise QuestionnaireNotFound(f"Round {round_id} has no questionnaire yet")
    return questionnaire


def _audited(questions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"questions": questions}


async def set_questionnaire(
    session: AsyncSession,
    *,
    principal: Principal,
    round_: ProcurementRound,
    existing: Questionnaire | None,
    body: QuestionnaireIn,
    request_id: str | None,
) -> Questionnaire:
    """Create or replace the round's questionnaire; refused once the round is open."""
    if RoundState(round_.state) not in EDITABLE:
        raise QuestionnaireFrozen(
            f"Round {round_.id} is {round_.state}: its questionnaire no longer changes"
        )
    questions = body.model_dump(mode="json")["questions"]
    before = None if existing is None else _audited(existing.questions)
    now = utcnow()
    if existing is None:
        questionnaire = Questionnaire(
            round_id=round_.id, questions=questions, updated_by=principal.subject, updated_at=now
        )
        session.add(questionnaire)
    else:
        questionnaire = existing
        if questionnaire.questions == questions:
            return questionnaire
        questionnaire.questions = questions
        questionnaire.updated_by = principal.subject
        questionnaire.updated_at = now
    await session.flush()
    await trail.announce(
        session,
        QuestionnaireSet(
            round_id=round_.id,
            questions=len(questions),
            required=sum(1 for q in body.questions if q.required),
        ),
        principal=principal,
        change=Change("questionnaire", str(round_.id), before=before, after=_audited(questions)),
        subject=str(round_.id),
        request_id=request_id,
    )
    return questionnaire
