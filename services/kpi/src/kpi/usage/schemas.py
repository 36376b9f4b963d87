"""Bodies of usage reports: what was read from an uploaded COUNTER report."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from chassis.schemas import OutputModel


class ExceptionOut(OutputModel):
    code: int
    message: str
    severity: str | None
    data: str | None


class MetricOut(OutputModel):
    total: int
    per_month: dict[str, int] = Field(examples=[{"2022-01": 123, "2022-02": 98}])


class UsageReportOut(OutputModel):
    id: uuid.UUID
    product_id: uuid.UUID
    organisation_id: uuid.UUID | None
    release: str = Field(examples=["5.1"])
    report_id: str = Field(examples=["TR_J1"])
    report_name: str | None
    institution_name: str | None
    begin_date: date | None
    end_date: date | None
    exceptions: list[ExceptionOut]
    report_items: int
    metrics: dict[str, MetricOut]
    uploaded_by: str
    created_at: datetime


class UsageUploadQuery(BaseModel):
    product_id: uuid.UUID = Field(description="The catalogue's id of the product reported on")
    organisation: str | None = Field(
        None,
        max_length=40,
        description="Whose usage: a library's ISIL, or a municipality or county number",
    )
