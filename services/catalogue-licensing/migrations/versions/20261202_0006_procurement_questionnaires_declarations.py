"""A round's questionnaire, and the self-declarations vendors give against it per product.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_questionnaires",
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column(
            "questions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_questionnaires_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_procurement_questionnaires")),
    )
    op.create_table(
        "procurement_declarations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column(
            "answers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_procurement_declarations_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_declarations_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_procurement_declarations_vendor_id_vendors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_declarations")),
        sa.UniqueConstraint(
            "round_id", "product_id", name=op.f("uq_procurement_declarations_round_id_product_id")
        ),
    )
    with op.batch_alter_table("procurement_declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_declarations_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_declarations_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_declarations_vendor_id"), ["vendor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("procurement_declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_declarations_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_declarations_round_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_declarations_product_id"))

    op.drop_table("procurement_declarations")
    op.drop_table("procurement_questionnaires")
