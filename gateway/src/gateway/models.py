"""The gateway's tables: the registered API clients and the token signing keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, LargeBinary, String, Uuid, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.audit import audit_table
from chassis.concurrency import etag
from chassis.db import new_metadata
from chassis.types import UTCDateTime


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
# Who registered, rotated or revoked which client through the API (never a secret).
audit_log = audit_table(metadata)


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
    # After `clients rotate-secret --grace-seconds`: the replaced secret, still accepted until then.
    previous_secret_hash: Mapped[str | None] = mapped_column(String(255))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    @property
    def etag(self) -> str:
        return etag(self.version)


# The life of a signing key: published before it signs (next), signing (current), published
# until the last token it signed has expired (retiring); then dropped.
KEY_STATES = ("next", "current", "retiring")
_ONE_CURRENT = text("state = 'current'")
_ONE_NEXT = text("state = 'next'")


class SigningKeyRecord(Base):
    """A token signing key; the private half is encrypted (AES-GCM) and erased once it retires."""

    __tablename__ = "signing_keys"
    __table_args__ = (
        CheckConstraint("state IN ('next', 'current', 'retiring')", name="known_state"),
        CheckConstraint(
            "(state = 'retiring' AND private_key IS NULL AND drop_after IS NOT NULL)"
            " OR (state <> 'retiring' AND private_key IS NOT NULL)",
            name="private_key_until_retired",
        ),
        # At most one key signs and at most one waits: two replicas bootstrapping or two
        # operators activating at once cannot both win.
        Index(
            "uq_signing_keys_one_current",
            "state",
            unique=True,
            sqlite_where=_ONE_CURRENT,
            postgresql_where=_ONE_CURRENT,
        ),
        Index(
            "uq_signing_keys_one_next",
            "state",
            unique=True,
            sqlite_where=_ONE_NEXT,
            postgresql_where=_ONE_NEXT,
        ),
    )

    # The RFC 7638 thumbprint of the public key.
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    private_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Published since.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the last token it signed has expired everywhere: then it leaves the key set.
    drop_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}
