"""The imports table: each CSV import of figures, its state and what it wrote."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from kpi.db import Base


class ObservationImport(Versioned, Base):
    __tablename__ = "observation_imports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # running, completed, failed.
    status: Mapped[str] = mapped_column(String(10))
    rows_total: Mapped[int] = mapped_column(Integer)
    created_count: Mapped[int] = mapped_column(Integer)
    corrected_count: Mapped[int] = mapped_column(Integer)
    unchanged_count: Mapped[int] = mapped_column(Integer)
    # The principal's subject: who may read it back besides analysts.
    submitted_by: Mapped[str] = mapped_column(String(200), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
