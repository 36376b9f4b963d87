"""SUSHI: a product's endpoint (credentials sealed) and each month's harvest.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sushi_endpoints",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("report_id", sa.String(length=2), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("harvest_from", sa.Date(), nullable=False),
        sa.Column("credentials", sa.LargeBinary(), nullable=False),
        sa.Column("credential_names", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_sushi_endpoints_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_sushi_endpoints_product_id_products")
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_sushi_endpoints")),
    )
    op.create_table(
        "sushi_harvests",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("usage_report_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["sushi_endpoints.product_id"],
            name=op.f("fk_sushi_harvests_product_id_sushi_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["usage_report_id"],
            ["usage_reports.id"],
            name=op.f("fk_sushi_harvests_usage_report_id_usage_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("product_id", "month", name=op.f("pk_sushi_harvests")),
    )


def downgrade() -> None:
    op.drop_table("sushi_harvests")
    op.drop_table("sushi_endpoints")
