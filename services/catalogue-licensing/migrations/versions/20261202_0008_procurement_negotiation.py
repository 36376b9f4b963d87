"""The steps of offers' negotiation: counter-proposals (sealed), answers and outcomes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_negotiation_steps",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("offer_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["procurement_offers.id"],
            name=op.f("fk_procurement_negotiation_steps_offer_id_procurement_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_procurement_negotiation_steps")),
    )
    with op.batch_alter_table("procurement_negotiation_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_negotiation_steps_offer_id"), ["offer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("procurement_negotiation_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_negotiation_steps_offer_id"))

    op.drop_table("procurement_negotiation_steps")
