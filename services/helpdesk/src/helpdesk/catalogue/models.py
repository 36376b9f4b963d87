"""Tables of the service catalogue: business calendars and the services supported on them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime
from helpdesk.db import Base


class CalendarRow(Versioned, Base):
    """A region's business calendar; the hours module reads it through `catalogue.calendars`."""

    __tablename__ = "business_calendars"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[dict[str, str]] = mapped_column(JSONDoc)
    time_zone: Mapped[str] = mapped_column(String(60))
    # {"monday": [{"start": "08:00", "end": "16:00"}], ...}: weekdays without hours are closed.
    weekly_hours: Mapped[dict[str, list[dict[str, str]]]] = mapped_column(JSONDoc)
    # {"country": "BE", "subdivision": "Flemish", "categories": ["public"]} or null.
    holidays: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc, nullable=True)
    # [{"date": "2026-12-24", "reason": ...}] and [{"month": 7, "day": 11, "reason": ...}].
    closing_days: Mapped[list[dict[str, str]]] = mapped_column(JSONDoc)
    yearly_closing_days: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SupportService(Versioned, Base):
    """A service the desk supports, with its channels and its promises per priority."""

    __tablename__ = "support_services"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    # The licensed product's id in the catalogue service (kind licensed_product only).
    product_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    name: Mapped[dict[str, str]] = mapped_column(JSONDoc)
    description: Mapped[dict[str, str]] = mapped_column(JSONDoc)
    calendar_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("business_calendars.id"))
    categories: Mapped[list[str]] = mapped_column(JSONDoc)
    # [{"channel": "phone", "address": "+32 ...", "hours": {"monday": [...]} | null}]
    channels: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    # [{"priority": "high", "first_response_minutes": 120, "resolution_minutes": 960}], all four.
    levels: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
