"""Training's and helpdesk's feeds: the facts their events state (one per subject), and the
starter indicator `training_registrations`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from kpi.indicators.starter import starter_rows

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_INDICATORS = ("training_registrations",)

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
    op.create_table(
        "harvested_facts",
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("isil", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("indicator", "subject", name=op.f("pk_harvested_facts")),
    )
    with op.batch_alter_table("harvested_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_harvested_facts_place", ["isil", "indicator", "month"], unique=False
        )
    # 0004 adds the starter set as it stands now (this one included) to a new database; an
    # older database gets it here.
    present = set(op.get_bind().scalars(sa.select(_indicators.c.code)))
    rows = [
        r
        for r in starter_rows(datetime.now(UTC))
        if r["code"] in NEW_INDICATORS and r["code"] not in present
    ]
    if rows:
        op.bulk_insert(_indicators, rows)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM indicators WHERE code = 'training_registrations'"))
    with op.batch_alter_table("harvested_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_harvested_facts_place")
    op.drop_table("harvested_facts")
