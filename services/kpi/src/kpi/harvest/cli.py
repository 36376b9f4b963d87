"""`kpi harvest`: read the catalogue's feed up to its end now (an operator catching up), through
the same steps as the job; safe beside the job and beside another `kpi harvest`."""

from __future__ import annotations

import argparse
import asyncio

from chassis.db import Database
from chassis.middleware import outbound_client
from chassis.types import utcnow
from kpi.harvest.service import apply_page, read_page
from kpi.settings import KpiSettings


async def harvest(settings: KpiSettings, *, max_pages: int = 100_000) -> int:
    """Pages applied (a page another process applied first is read again, not counted)."""
    applied_pages = 0
    async with Database(settings) as db, outbound_client() as http:
        for _ in range(max_pages):
            fetched = await read_page(db, http, settings.harvest)
            if fetched is None:
                return applied_pages
            async with db.writer() as session, session.begin():
                applied = await apply_page(session, fetched, now=utcnow())
            applied_pages += int(applied)
            if applied and not fetched.page.has_more:
                break
    return applied_pages


def run(settings: KpiSettings, args: argparse.Namespace) -> int:
    if settings.harvest.catalogue_url is None:
        print("KPI_HARVEST__CATALOGUE_URL is not set: nothing to harvest")
        return 2
    pages = asyncio.run(harvest(settings))
    print(f"{pages} page(s) applied")
    return 0
