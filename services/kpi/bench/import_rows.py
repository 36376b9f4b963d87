"""How long a CSV import of N rows takes (default 100,000), on a fresh database of its own:
reading and checking the file, then writing it in one transaction, as the API's import does.

    .venv/bin/python services/kpi/bench/import_rows.py --database-url sqlite:///var/bench-kpi.db
    .venv/bin/python services/kpi/bench/import_rows.py --database-url postgresql://postgres@127.0.0.1/kpi_bench

The database must be empty (or not exist, for SQLite); the script migrates it. Figures are
recorded in docs/decisions/0035."""

from __future__ import annotations

import argparse
import asyncio
import io
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from chassis.auth import Principal
from chassis.db import Database
from chassis.ids import uuid7
from chassis.migrations import upgrade
from kpi.app import SPEC
from kpi.imports.csv_reader import read_csv
from kpi.imports.service import checked_rows, start_import, write_import
from kpi.organisations.models import Organisation
from kpi.settings import KpiSettings

INDICATORS = ("loans", "visits", "e_loans", "events")


def _organisations(libraries: int) -> tuple[list[dict[str, Any]], list[str]]:
    now = datetime.now(UTC)

    def row(level: str, code: str, parent: Any, county: str | None) -> dict[str, Any]:
        return {
            "id": uuid7(),
            "level": level,
            "code": code,
            "country_code": "NO",
            "name": f"{level} {code}",
            "parent_id": parent,
            "county_code": county,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }

    country = row("country", "NO", None, None)
    county = row("county", "99", country["id"], "99")
    municipality = row("municipality", "9901", county["id"], "99")
    libraries_rows = [
        row("library", f"NO-99{n:05d}", municipality["id"], "99") for n in range(libraries)
    ]
    return [country, county, municipality, *libraries_rows], [r["code"] for r in libraries_rows]


def _csv(isils: list[str], rows: int) -> bytes:
    out = io.StringIO()
    out.write("indicator,organisation,period,value,status\n")
    months = [f"{year}-{month:02d}" for year in range(2015, 2025) for month in range(1, 13)]
    written = 0
    for month in months:
        for indicator in INDICATORS:
            for isil in isils:
                if written == rows:
                    return out.getvalue().encode()
                out.write(f"{indicator},{isil},{month},{(written * 7) % 5000},final\n")
                written += 1
    return out.getvalue().encode()


async def measure(url: str, rows: int) -> None:
    settings = KpiSettings(database_url=url)
    await asyncio.to_thread(upgrade, SPEC.alembic_ini, settings.resolved_database_url())
    organisations, isils = _organisations(1_000)
    data = _csv(isils, rows)
    principal = Principal(subject="bench", roles=frozenset({"analyst"}))
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            await session.execute(insert(Organisation), organisations)
        await db.refresh_statistics()
        started = time.perf_counter()
        read = read_csv(data)
        parsed = time.perf_counter()
        async with db.writer() as session, session.begin():
            valid = await checked_rows(session, principal=principal, data=data)
            record = await start_import(
                session, principal=principal, rows_total=len(valid), request_id=None
            )
        checked = time.perf_counter()
        async with db.writer() as session, session.begin():
            written = await write_import(
                session,
                import_id=record.id,
                principal=principal,
                rows=valid,
                request_id=None,
                progress=lambda done: None,
            )
        finished = time.perf_counter()
    print(
        f"{db.backend}: {len(read.rows):,} rows ({len(data) / 1e6:.1f} MB); "
        f"parse {parsed - started:.2f} s, parse+check {checked - parsed:.2f} s, "
        f"write {finished - checked:.2f} s ({written.created:,} new); "
        f"total {finished - parsed:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(measure(args.database_url, args.rows))


if __name__ == "__main__":
    main()
