"""Self-declarations: one per product per round."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.concurrency import Versioned
from chassis.types import JSONDoc, UTCDateTime


class Declaration(Versioned, Base):
    __tablename__ = "procurement_declarations"
    __table_args__ = (UniqueConstraint("round_id", "product_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vendors.id"), index=True)
    # {question id: answer}, each checked against its question when given.
    answers: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    updated_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
