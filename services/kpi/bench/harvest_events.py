"""How many of the catalogue's events a harvest applies per second (point 9: ≥ 5,000/s), on a
fresh database of its own: pages of 500 events, as the job reads them, applied in one
transaction each; the HTTP is left out (it is the catalogue's feed's own speed).

    .venv/bin/python services/kpi/bench/harvest_events.py --database-url sqlite:///var/bench-harvest.db

The mix: most events are of types the harvest only records (vendors, products' texts,
participation), some create or move libraries. Figures in docs/decisions/0036."""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any

from chassis.db import Database
from chassis.migrations import upgrade
from chassis.types import utcnow
from kpi.app import SPEC
from kpi.harvest.feed import Directory, FeedEvent, FeedPage, Fetched
from kpi.harvest.service import apply_page
from kpi.settings import KpiSettings

PAGE = 500


def _directory(libraries: int) -> Directory:
    directory = Directory()
    directory.counties["NO", "18"] = {
        "country": "NO",
        "number": "18",
        "name": {"nb": "Nordland"},
        "populations": [],
    }
    directory.municipalities["NO", "1804"] = {
        "country": "NO",
        "number": "1804",
        "name": "Bodø",
        "county": "18",
        "populations": [],
    }
    for n in range(libraries):
        isil = f"NO-29{n:05d}"
        directory.libraries[isil] = {
            "isil": isil,
            "name": f"Bibliotek {n}",
            "country": "NO",
            "municipality": "1804",
            "county": "18",
        }
    return directory


def _event(seq: int, type_: str, data: dict[str, Any]) -> FeedEvent:
    return FeedEvent(seq=seq, id=uuid.uuid4(), type=type_, subject=str(uuid.uuid4()), data=data)


async def measure(url: str, events: int, library_share: float) -> None:
    settings = KpiSettings(database_url=url)
    await asyncio.to_thread(upgrade, SPEC.alembic_ini, settings.resolved_database_url())
    libraries = int(events * library_share)
    directory = _directory(libraries)
    isils = list(directory.libraries)
    stream = []
    for seq in range(1, events + 1):
        if seq % max(1, round(1 / library_share)) == 0 and isils:
            isil = isils.pop()
            stream.append(
                _event(
                    seq,
                    "library.created",
                    {"isil": isil, "kind": "public", "municipality": "1804", "county": "18"},
                )
            )
        else:
            stream.append(_event(seq, "vendor.updated", {"changed": ["contacts"]}))
    async with Database(settings) as db:
        started = time.perf_counter()
        after = 0
        for start in range(0, len(stream), PAGE):
            items = stream[start : start + PAGE]
            page = FeedPage(
                items=items, next_after=items[-1].seq, has_more=start + PAGE < len(stream)
            )
            async with db.writer() as session, session.begin():
                assert await apply_page(
                    session, Fetched(after=after, page=page, directory=directory), now=utcnow()
                )
            after = items[-1].seq
        elapsed = time.perf_counter() - started
    print(
        f"{db.backend}: {events:,} events ({libraries:,} library.created) in {elapsed:.2f} s: "
        f"{events / elapsed:,.0f} events/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--library-share", type=float, default=0.01)
    args = parser.parse_args()
    asyncio.run(measure(args.database_url, args.events, args.library_share))


if __name__ == "__main__":
    main()
