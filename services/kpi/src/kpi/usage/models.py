"""Products as the catalogue announces them, COUNTER reports as uploaded, and the monthly counts
read from them (per product, organisation, report, metric and month)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import BigIntPK, JSONDoc, UTCDateTime
from kpi.db import Base


class Product(Versioned, Base):
    """A catalogue product (its id the catalogue's), kept from the catalogue's events."""

    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UsageReport(Base):
    """A COUNTER report as uploaded: what it said, kept as read (never changed)."""

    __tablename__ = "usage_reports"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    release: Mapped[str] = mapped_column(String(4))
    report_id: Mapped[str] = mapped_column(String(8))
    report_name: Mapped[str | None] = mapped_column(String(200))
    institution_name: Mapped[str | None] = mapped_column(String(200))
    begin_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    exceptions: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    report_items: Mapped[int] = mapped_column(Integer)
    # {metric: {"2022-01": 123}}: what the uploader checks the figures by.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UsageCount(Base):
    """One month's count of one metric, for a product and an organisation, from the latest
    report of its kind that covers that month (a later upload replaces it, never adds to it)."""

    __tablename__ = "usage_counts"
    __table_args__ = (
        Index(
            "ix_usage_counts_key",
            "product_id",
            "organisation_id",
            "report_kind",
            "metric",
            "month",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    # PR, DR, TR or IR: a standard view counts as its report (TR_J1 is a TR).
    report_kind: Mapped[str] = mapped_column(String(2))
    metric: Mapped[str] = mapped_column(String(40))
    # The month's first day.
    month: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(BigInteger)
    usage_report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("usage_reports.id", ondelete="CASCADE")
    )
