"""The questionnaire of a round: its questions as one document, replaced whole."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime


class Questionnaire(Versioned, Base):
    __tablename__ = "procurement_questionnaires"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    # [Question], as the API's schema validated them.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
