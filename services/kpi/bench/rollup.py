"""How long a roll-up to the country takes (point 9: 1,000 libraries, 20 indicators, 12 months,
p95 < 200 ms), on a fresh database of its own, in-process through the service function the
route calls (no HTTP).

    .venv/bin/python services/kpi/bench/rollup.py --database-url sqlite:///var/bench-rollup.db

Figures in docs/decisions/0034 and 0043."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, text

from chassis.auth import Principal
from chassis.db import Database
from chassis.ids import uuid7
from chassis.migrations import upgrade
from kpi.app import SPEC
from kpi.bulk import insert_many
from kpi.indicators.models import Indicator
from kpi.observations.models import Observation
from kpi.observations.periods import parse_period
from kpi.organisations.models import Organisation
from kpi.questions.schemas import RollupQuery
from kpi.questions.service import rollup
from kpi.settings import KpiSettings

LIBRARIES, INDICATORS, MONTHS = 1_000, 20, 12
PRINCIPAL = Principal(subject="bench", roles=frozenset({"analyst"}))


def _org(level: str, code: str, parent: Any, county: str | None, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid7(), "level": level, "code": code, "country_code": "NO", "name": code,
        "parent_id": parent, "county_code": county, "created_at": now, "updated_at": now, "version": 1,
    }  # fmt: skip


async def _load(db: Database) -> None:
    now = datetime.now(UTC)
    country = _org("country", "NO", None, None, now)
    counties = [_org("county", f"{c:02d}", country["id"], f"{c:02d}", now) for c in range(10)]
    municipalities = [
        _org("municipality", f"{c:02d}{m:02d}", county["id"], county["code"], now)
        for c, county in enumerate(counties)
        for m in range(10)
    ]
    libraries = [
        _org(
            "library",
            f"NO-9{n:06d}",
            municipalities[n % 100]["id"],
            municipalities[n % 100]["county_code"],
            now,
        )
        for n in range(LIBRARIES)
    ]
    indicators = [
        {
            "code": f"bench_{i:02d}", "name": {"en": f"Bench {i}"}, "description": {}, "unit": "n",
            "value_type": "count", "rollup": "sum", "numerator": None, "denominator": None, "weight": None,
            "periodicity": "month", "source": "entered", "iso_reference": None, "suppression_threshold": None,
            "version": 1, "created_at": now, "updated_at": now,
        }
        for i in range(INDICATORS)
    ]  # fmt: skip
    columns = ("id", "indicator_code", "organisation_id", "period", "period_kind", "period_start",
               "period_end", "value", "status", "source", "comment", "recorded_by", "created_at",
               "updated_at", "version")  # fmt: skip
    rows = []
    for indicator in indicators:
        for month in range(1, MONTHS + 1):
            period = parse_period(f"2025-{month:02d}")
            for library in libraries:
                rows.append((uuid7(), indicator["code"], library["id"], period.text, period.kind,
                             period.start, period.end, float(month), "final", "entered", None,
                             "bench", now, now, 1))  # fmt: skip
    async with db.writer() as session, session.begin():
        await session.execute(
            insert(Organisation), [country, *counties, *municipalities, *libraries]
        )
        await session.execute(insert(Indicator), indicators)
        await insert_many(session, Observation.__table__, columns, rows)  # type: ignore[arg-type]
    await db.refresh_statistics()
    if db.backend == "postgresql":
        # What autovacuum does soon after a bulk insert: the visibility map lets the sums be read
        # from their index alone (docs/decisions/0043).
        async with db.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM (ANALYZE) observations"))


async def measure(url: str, runs: int) -> None:
    settings = KpiSettings(database_url=url)
    await asyncio.to_thread(upgrade, SPEC.alembic_ini, settings.resolved_database_url())
    async with Database(settings) as db:
        await _load(db)
        timings = []
        for n in range(runs):
            query = RollupQuery(
                indicator=f"bench_{n % INDICATORS:02d}", organisation="NO", period="2025"
            )
            started = time.perf_counter()
            async with db.reader() as session:
                answer = await rollup(session, principal=PRINCIPAL, query=query)
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.value == LIBRARIES * sum(range(1, MONTHS + 1))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{db.backend}: {LIBRARIES * INDICATORS * MONTHS:,} observations; roll-up to the country "
        f"of one indicator over 2025: median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms "
        f"({runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(measure(args.database_url, args.runs))


if __name__ == "__main__":
    main()
