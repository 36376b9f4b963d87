"""`kpi harvest`: read each configured feed up to its end now (an operator catching up), through
the same steps as the jobs; safe beside the jobs and beside another `kpi harvest`."""

from __future__ import annotations

import argparse
import asyncio

from chassis.db import Database
from chassis.middleware import outbound_client
from chassis.types import utcnow
from kpi.harvest.feed import feed_url
from kpi.harvest.service import CATALOGUE, FEEDS, apply_page, read_page
from kpi.settings import KpiSettings


async def harvest(
    settings: KpiSettings, *, max_pages: int = 100_000, feeds: tuple[str, ...] = FEEDS
) -> int:
    """Pages applied (a page another process applied first is read again, not counted)."""
    applied_pages = 0
    async with Database(settings) as db, outbound_client() as http:
        for feed in feeds:
            for _ in range(max_pages):
                fetched = await read_page(db, http, settings.harvest, feed)
                if fetched is None:
                    break
                async with db.writer() as session, session.begin():
                    applied = await apply_page(session, fetched, now=utcnow())
                applied_pages += int(applied)
                if applied and not fetched.page.has_more:
                    break
    return applied_pages


def run(settings: KpiSettings, args: argparse.Namespace) -> int:
    if all(feed_url(settings.harvest, feed) is None for feed in FEEDS):
        print(f"KPI_HARVEST__{CATALOGUE.upper()}_URL (or TRAINING_URL, HELPDESK_URL) is not set")
        return 2
    pages = asyncio.run(harvest(settings))
    print(f"{pages} page(s) applied")
    return 0
