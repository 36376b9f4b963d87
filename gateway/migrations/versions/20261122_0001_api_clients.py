"""API clients: who may ask the token endpoint for a token, with which role and scope.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("county", sa.String(length=2), nullable=True),
        sa.Column("vendor_id", sa.Uuid(), nullable=True),
        sa.Column("isil", sa.String(length=16), nullable=True),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "NOT (county IS NOT NULL AND vendor_id IS NOT NULL)"
            " AND NOT (county IS NOT NULL AND isil IS NOT NULL)"
            " AND NOT (vendor_id IS NOT NULL AND isil IS NOT NULL)",
            name=op.f("ck_api_clients_at_most_one_scope"),
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_api_clients")),
    )


def downgrade() -> None:
    op.drop_table("api_clients")
