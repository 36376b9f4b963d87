"""Request and response bodies of satisfaction ratings."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel
from helpdesk.tickets.schemas import Isil


class RatingIn(InputModel):
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")
    comment: str | None = Field(default=None, min_length=1, max_length=2000)


class RatingOut(OutputModel):
    id: uuid.UUID
    ticket_id: uuid.UUID
    library_isil: str
    service_id: uuid.UUID
    rating: int
    comment: str | None
    rater: str
    created_at: datetime


class RatingQuery(PageQuery):
    service_id: uuid.UUID | None = None
    library_isil: Isil | None = None
