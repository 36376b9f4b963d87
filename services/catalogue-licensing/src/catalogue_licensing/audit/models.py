"""The audit trail: who changed what, when, as a field-by-field diff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.types import BigIntPK, JSONDoc, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The token's subject and roles at the time of the change.
    actor: Mapped[str] = mapped_column(String(200))
    actor_roles: Mapped[list[str]] = mapped_column(JSONDoc)
    # e.g. "product.updated", "participation.changed"
    action: Mapped[str] = mapped_column(String(60))
    resource_type: Mapped[str] = mapped_column(String(40), index=True)
    resource_id: Mapped[str] = mapped_column(String(64), index=True)
    # {field: {"old": ..., "new": ...}}; for a creation every field's "old" is null.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    request_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
