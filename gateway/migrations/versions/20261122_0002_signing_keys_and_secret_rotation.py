"""Signing keys with their states (next, current, retiring), shared by every replica; and the
previous secret of an API client, accepted until the end of its grace period.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONE_CURRENT = sa.text("state = 'current'")
_ONE_NEXT = sa.text("state = 'next'")


def upgrade() -> None:
    op.add_column("api_clients", sa.Column("previous_secret_hash", sa.String(255), nullable=True))
    op.add_column(
        "api_clients",
        sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("drop_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('next', 'current', 'retiring')", name=op.f("ck_signing_keys_known_state")
        ),
        sa.CheckConstraint(
            "(state = 'retiring' AND private_key IS NULL AND drop_after IS NOT NULL)"
            " OR (state <> 'retiring' AND private_key IS NOT NULL)",
            name=op.f("ck_signing_keys_private_key_until_retired"),
        ),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_index(
        "uq_signing_keys_one_current",
        "signing_keys",
        ["state"],
        unique=True,
        sqlite_where=_ONE_CURRENT,
        postgresql_where=_ONE_CURRENT,
    )
    op.create_index(
        "uq_signing_keys_one_next",
        "signing_keys",
        ["state"],
        unique=True,
        sqlite_where=_ONE_NEXT,
        postgresql_where=_ONE_NEXT,
    )


def downgrade() -> None:
    op.drop_index("uq_signing_keys_one_next", table_name="signing_keys")
    op.drop_index("uq_signing_keys_one_current", table_name="signing_keys")
    op.drop_table("signing_keys")
    with op.batch_alter_table("api_clients") as batch:
        batch.drop_column("previous_secret_until")
        batch.drop_column("previous_secret_hash")
