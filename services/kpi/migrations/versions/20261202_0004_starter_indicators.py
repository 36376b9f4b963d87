"""The design's starter set of indicators (kpi/indicators/starter.json), added as reference data.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from kpi.indicators.starter import starter_rows

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_indicators = sa.table(
    "indicators",
    sa.column("code", sa.String()),
    sa.column("name", sa.JSON()),
    sa.column("description", sa.JSON()),
    sa.column("unit", sa.String()),
    sa.column("value_type", sa.String()),
    sa.column("rollup", sa.String()),
    sa.column("numerator", sa.String()),
    sa.column("denominator", sa.String()),
    sa.column("weight", sa.String()),
    sa.column("periodicity", sa.String()),
    sa.column("source", sa.String()),
    sa.column("iso_reference", sa.String()),
    sa.column("suppression_threshold", sa.Integer()),
    sa.column("version", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.bulk_insert(_indicators, starter_rows(datetime.now(UTC)))


def downgrade() -> None:
    # Ratios first: they name their parts.
    codes = [row["code"] for row in reversed(starter_rows(datetime.now(UTC)))]
    for code in codes:
        op.execute(_indicators.delete().where(_indicators.c.code == code))
