"""Bodies of imports: the import resource, and the validation report of a refused file."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from chassis.schemas import OutputModel

ImportStatus = Literal["running", "completed", "failed"]


class ImportOut(OutputModel):
    id: uuid.UUID
    status: ImportStatus
    rows_total: int
    rows_written: int = Field(description="Rows written so far (all of them once completed)")
    created: int = Field(description="New figures")
    corrected: int = Field(description="Figures that changed (their history keeps the old one)")
    unchanged: int = Field(description="Rows equal to the figure already there")
    submitted_by: str
    error: str | None
    version: int
    created_at: datetime
    finished_at: datetime | None


class ReportRow(OutputModel):
    """One reason a file was refused: its row (the header is row 1; 0: the whole file)."""

    row: int
    column: str | None
    value: str | None
    message: str
