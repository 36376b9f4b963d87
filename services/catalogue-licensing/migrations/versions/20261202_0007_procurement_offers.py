"""Offers and their immutable versions, whose content is stored sealed (AES-256-GCM).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_procurement_offers_agreement_id_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_procurement_offers_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_offers_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["vendors.id"], name=op.f("fk_procurement_offers_vendor_id_vendors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_offers")),
        sa.UniqueConstraint(
            "round_id", "product_id", name=op.f("uq_procurement_offers_round_id_product_id")
        ),
    )
    with op.batch_alter_table("procurement_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_offers_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_offers_round_id"), ["round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_procurement_offers_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_procurement_offers_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "procurement_offer_versions",
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["procurement_offers.id"],
            name=op.f("fk_procurement_offer_versions_offer_id_procurement_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_id", "number", name=op.f("pk_procurement_offer_versions")),
    )


def downgrade() -> None:
    op.drop_table("procurement_offer_versions")
    with op.batch_alter_table("procurement_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_offers_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_offers_status"))
        batch_op.drop_index(batch_op.f("ix_procurement_offers_round_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_offers_product_id"))

    op.drop_table("procurement_offers")
