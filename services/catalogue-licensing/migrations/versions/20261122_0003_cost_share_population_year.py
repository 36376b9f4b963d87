"""Cost shares keep the population year they were computed from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Until now the API worked the year out again at every read, from the populations as they are now,
which could name a year that was not the one the stored amount came from. The column is filled
for existing per_inhabitant shares from the latest year, up to the contract year, whose population
equals the stored basis; a share whose basis matches no year (the population changed after it was
computed) stays null, and the next population change of its county recomputes it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_shares = sa.table(
    "cost_shares",
    sa.column("agreement_id", sa.Uuid()),
    sa.column("county_id", sa.Uuid()),
    sa.column("basis", sa.BigInteger()),
    sa.column("population_year", sa.Integer()),
)
_agreements = sa.table(
    "agreements",
    sa.column("id", sa.Uuid()),
    sa.column("period_start", sa.Date()),
    sa.column("split_key", sa.String()),
)
_populations = sa.table(
    "county_populations",
    sa.column("county_id", sa.Uuid()),
    sa.column("year", sa.Integer()),
    sa.column("population", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("cost_shares", schema=None) as batch_op:
        batch_op.add_column(sa.Column("population_year", sa.Integer(), nullable=True))
    _fill_population_years()


def _fill_population_years() -> None:
    # Row by row in Python rather than one UPDATE: the contract year is the year of a date, which
    # SQLite and PostgreSQL spell differently, and the programme has hundreds of shares, not more.
    bind = op.get_bind()
    shares = bind.execute(
        sa.select(
            _shares.c.agreement_id,
            _shares.c.county_id,
            _shares.c.basis,
            _agreements.c.period_start,
        )
        .join(_agreements, _agreements.c.id == _shares.c.agreement_id)
        .where(_agreements.c.split_key == "per_inhabitant")
    ).all()
    for agreement_id, county_id, basis, period_start in shares:
        year = bind.scalar(
            sa.select(sa.func.max(_populations.c.year)).where(
                _populations.c.county_id == county_id,
                _populations.c.year <= period_start.year,
                _populations.c.population == basis,
            )
        )
        if year is None:
            continue
        bind.execute(
            _shares.update()
            .where(_shares.c.agreement_id == agreement_id, _shares.c.county_id == county_id)
            .values(population_year=year)
        )


def downgrade() -> None:
    with op.batch_alter_table("cost_shares", schema=None) as batch_op:
        batch_op.drop_column("population_year")
