"""A service's migration creates the mechanism's tables in two lines:

    from search.migration import create_search_tables, drop_search_tables

    def upgrade() -> None:
        create_search_tables(op)

    def downgrade() -> None:
        drop_search_tables(op)

The operations are written out here (not derived from `search_tables`), as a migration's are:
version 1 of the tables. A later change of the tables comes with a helper of its own.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from search.tables import DOCUMENTS, STATE


def _json() -> Any:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def create_search_tables(op: Any) -> None:
    """Create `search_documents` and `search_state` (new tables: the same on both backends)."""
    op.create_table(
        DOCUMENTS,
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("audience", sa.String(length=50), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("facets", _json(), nullable=False),
        sa.PrimaryKeyConstraint("slug", name=op.f(f"pk_{DOCUMENTS}")),
    )
    op.create_index(f"ix_{DOCUMENTS}_revision", DOCUMENTS, ["revision"], unique=False)
    op.create_table(
        STATE,
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{STATE}")),
    )


def drop_search_tables(op: Any) -> None:
    op.drop_table(STATE)
    op.drop_index(f"ix_{DOCUMENTS}_revision", table_name=DOCUMENTS)
    op.drop_table(DOCUMENTS)
