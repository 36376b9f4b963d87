"""The gateway's tables: the registered API clients."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import new_metadata
from chassis.types import UTCDateTime


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata


class ApiClient(Base):
    """A registered caller of the token endpoint; only the hash of its secret is kept."""

    __tablename__ = "api_clients"
    __table_args__ = (
        CheckConstraint(
            "NOT (county IS NOT NULL AND vendor_id IS NOT NULL)"
            " AND NOT (county IS NOT NULL AND isil IS NOT NULL)"
            " AND NOT (vendor_id IS NOT NULL AND isil IS NOT NULL)",
            name="at_most_one_scope",
        ),
    )

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    county: Mapped[str | None] = mapped_column(String(2))
    vendor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    isil: Mapped[str | None] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
