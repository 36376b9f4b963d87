"""An index that answers a roll-up's sums by itself: an indicator's figures in organisation order
with their periods and values (docs/decisions/0043).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_observations_indicator_sums",
        "observations",
        ["indicator_code", "organisation_id", "period_start", "period_end", "value"],
    )


def downgrade() -> None:
    op.drop_index("ix_observations_indicator_sums", table_name="observations")
