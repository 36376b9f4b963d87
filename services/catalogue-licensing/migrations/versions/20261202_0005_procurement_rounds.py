"""Procurement rounds and the moves each made between its states.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_rounds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("contract_start", sa.Date(), nullable=False),
        sa.Column("contract_end", sa.Date(), nullable=False),
        sa.Column("doffin_notice_id", sa.String(length=40), nullable=True),
        sa.Column("doffin_published_on", sa.Date(), nullable=True),
        sa.Column("ted_notice_id", sa.String(length=40), nullable=True),
        sa.Column("ted_published_on", sa.Date(), nullable=True),
        sa.Column("supplier_meeting_on", sa.Date(), nullable=True),
        sa.Column("declaration_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offer_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("negotiation_start", sa.Date(), nullable=False),
        sa.Column("negotiation_end", sa.Date(), nullable=False),
        sa.Column("award_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_rounds")),
    )
    with op.batch_alter_table("procurement_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_rounds_offer_deadline"), ["offer_deadline"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_procurement_rounds_state"), ["state"], unique=False)

    op.create_table(
        "procurement_round_moves",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("moved_by", sa.String(length=200), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("round_version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_round_moves_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_procurement_round_moves")),
    )
    with op.batch_alter_table("procurement_round_moves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_round_moves_round_id"), ["round_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("procurement_round_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_round_moves_round_id"))

    op.drop_table("procurement_round_moves")
    with op.batch_alter_table("procurement_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_rounds_state"))
        batch_op.drop_index(batch_op.f("ix_procurement_rounds_offer_deadline"))

    op.drop_table("procurement_rounds")
