"""The audit trail's rows as ORM objects, over the kit's table (catalogue_licensing.db.audit_log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Mapped

from catalogue_licensing.db import Base, audit_log


class AuditEntry(Base):
    __table__ = audit_log

    seq: Mapped[int]
    occurred_at: Mapped[datetime]
    actor: Mapped[str]
    actor_roles: Mapped[list[str]]
    action: Mapped[str]
    resource_type: Mapped[str]
    resource_id: Mapped[str]
    changes: Mapped[dict[str, Any]]
    request_id: Mapped[str | None]
