"""Recordings of sessions and their subtitle tracks, one per language."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from training.db import Base


class Recording(Versioned, Base):
    __tablename__ = "recordings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    # The session's course, kept so scope and filters need no join through sessions.
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Subtitles(Versioned, Base):
    __tablename__ = "recording_subtitles"

    recording_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("recordings.id"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(5), primary_key=True)
    # The WebVTT file as uploaded (checked by recordings.webvtt).
    vtt: Mapped[str] = mapped_column(Text)
    cues: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
