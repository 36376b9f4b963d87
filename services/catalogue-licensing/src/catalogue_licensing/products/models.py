"""The products table: a vendor's digital product with the four answers every product gives."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime


class Product(Versioned, Base):
    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vendors.id"), index=True)
    # draft -> active -> retired, no other moves.
    status: Mapped[str] = mapped_column(String(10), index=True)
    category: Mapped[str] = mapped_column(String(40))
    # ["residents", "pupils"].
    audiences: Mapped[list[str]] = mapped_column(JSONDoc)
    # ISO 639-1 codes of the content itself.
    content_languages: Mapped[list[str]] = mapped_column(JSONDoc)
    # Multilingual texts: {"nb": ..., "nn": ..., "en": ...}.
    name: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    description: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    # The four answers, each one fixed structure (validated by the API schema):
    # access {"methods": [...], "steps": {lang: text}}
    access: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    # home_use {"available": bool, "terms": {lang: text}}
    home_use: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    # sharing {"allowed": bool, "terms": {lang: text}}
    sharing: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    # contact {"name", "email", "phone", "opening_hours": {lang: text}, "url"}
    contact: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    # Procurement facts: {"wcag_level", "data_processing_agreement", "counter_release",
    # "sushi_url", "authentication_standards": [...]}
    procurement: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    # An https URL of the product's logo, for library websites (issue 15, point 14).
    logo_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
