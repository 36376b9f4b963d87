"""A municipality's predecessors: the numbers of the municipalities merged into it (Flanders'
mergers of 1 January 2025), so that figures under an old number can be placed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.add_column(
            sa.Column(
                "merged_from",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("municipalities") as batch:
        batch.drop_column("merged_from")
