"""Query parameters of the public feed, and the private feed tokens' bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from chassis.schemas import OutputModel
from training.sessions.schemas import SessionFormat, Track
from training.vocabulary import Language, Slug


class CalendarQuery(BaseModel):
    """Filters of the public feed; all must match."""

    track: Track | None = None
    topic: Slug | None = Field(None, description="The topic's slug")
    format: SessionFormat | None = None
    lang: Language | None = None
    course_id: uuid.UUID | None = None


class FeedTokenOut(OutputModel):
    id: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None
    version: int


class NewFeedTokenOut(FeedTokenOut):
    token: str = Field(description="Shown once: the secret part of the feed's address")
    path: str = Field(
        description="The feed's path on this service (behind the gateway: /training + path)",
        examples=["/v1/calendar/private/3q2-….ics"],
    )
