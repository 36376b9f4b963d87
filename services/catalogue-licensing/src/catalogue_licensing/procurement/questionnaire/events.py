"""The events of questionnaires."""

from __future__ import annotations

import uuid

from chassis.outbox import EventData


class QuestionnaireSet(EventData):
    event_type = "questionnaire.set"
    round_id: uuid.UUID
    questions: int
    required: int
