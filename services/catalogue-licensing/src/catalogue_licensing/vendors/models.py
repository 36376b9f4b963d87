"""The vendors table: companies that offer digital products to the programme."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime


class Vendor(Versioned, Base):
    __tablename__ = "vendors"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Norwegian organisation number: 9 digits, the last a mod-11 check digit.
    org_number: Mapped[str] = mapped_column(String(9), unique=True)
    # [{"name", "email", "phone", "role"}], validated by the API schema.
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
