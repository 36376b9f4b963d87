"""A product's SUSHI endpoint (its credentials sealed), and each month's harvest of it."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import UTCDateTime
from kpi.db import Base


class SushiEndpoint(Versioned, Base):
    """Where a product's COUNTER reports are fetched from, and as whom."""

    __tablename__ = "sushi_endpoints"

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), primary_key=True)
    base_url: Mapped[str] = mapped_column(String(500))
    # PR, DR, TR or IR: the report asked for each month.
    report_id: Mapped[str] = mapped_column(String(2))
    # Whose usage the reports are (None: the consortium's, as an upload without organisation).
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    # The first month harvested.
    harvest_from: Mapped[date] = mapped_column(Date)
    # customer_id, requestor_id and api_key, sealed (kpi.sushi.sealing): never read back out.
    credentials: Mapped[bytes] = mapped_column(LargeBinary)
    # Which credentials were given (their names only), for the administrator.
    credential_names: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SushiHarvest(Base):
    """One month of one endpoint: pending (tried again after a backoff), done, or failed (every
    attempt used; the last error kept for the administrator)."""

    __tablename__ = "sushi_harvests"

    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sushi_endpoints.product_id", ondelete="CASCADE"), primary_key=True
    )
    # The month's first day.
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    usage_report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("usage_reports.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
