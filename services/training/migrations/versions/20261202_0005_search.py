"""The search mechanism's tables (libs/search): published content's documents and the revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from search.migration import create_search_tables, drop_search_tables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_search_tables(op)


def downgrade() -> None:
    drop_search_tables(op)
