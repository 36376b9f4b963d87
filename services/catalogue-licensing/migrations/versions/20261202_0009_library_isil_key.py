"""Libraries are matched by their ISIL's upper-case form (isil_key), kept as written in isil:
ISO 15511 identifiers compare without regard to case.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("libraries") as batch:
        batch.add_column(sa.Column("isil_key", sa.String(length=16), nullable=True))
    # Two libraries whose ISILs differ only in case would stop the unique constraint below:
    # the migration then fails, and an operator decides which one is the library.
    op.execute("UPDATE libraries SET isil_key = UPPER(isil)")
    with op.batch_alter_table("libraries") as batch:
        batch.alter_column("isil_key", existing_type=sa.String(length=16), nullable=False)
        batch.create_unique_constraint(batch.f("uq_libraries_isil_key"), ["isil_key"])


def downgrade() -> None:
    with op.batch_alter_table("libraries") as batch:
        batch.drop_constraint(batch.f("uq_libraries_isil_key"), type_="unique")
        batch.drop_column("isil_key")
