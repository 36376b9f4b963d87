"""Request and response bodies of recordings and subtitles."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from chassis.pagination import PageQuery
from chassis.schemas import InputModel, OutputModel, PatchModel
from training.vocabulary import HttpUrl

MAX_VTT = 2_000_000


class RecordingIn(InputModel):
    session_id: uuid.UUID
    url: HttpUrl
    title: str | None = Field(
        default=None, min_length=1, max_length=300, description="The session's title by default"
    )


class RecordingPatch(PatchModel):
    """Fields to change: where the recording is and what it is called."""

    url: HttpUrl | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)


class SubtitlesIn(InputModel):
    # The file is stored as sent: its lines and final newline are part of it.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    vtt: str = Field(min_length=6, max_length=MAX_VTT, description="A WebVTT file's text")


class SubtitlesOut(OutputModel):
    lang: str
    cues: int
    duration_ms: int
    version: int
    updated_at: datetime


class RecordingOut(OutputModel):
    id: uuid.UUID
    session_id: uuid.UUID
    course_id: uuid.UUID
    title: str
    url: str
    subtitles: list[SubtitlesOut]
    version: int
    created_at: datetime


class RecordingQuery(PageQuery):
    session_id: uuid.UUID | None = None
    course_id: uuid.UUID | None = None
