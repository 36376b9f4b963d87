"""The demo data `make run` loads: calendars, services and promises, a few weeks of tickets and
calls, and the judged help-desk articles; idempotent, with fixed ids (ids.py)."""

from __future__ import annotations

import helpdesk.demo.ids as ids
from chassis.auth import Principal
from chassis.db import Database
from chassis.types import utcnow
from helpdesk.catalogue.models import CalendarRow
from helpdesk.db import search_index_tables
from helpdesk.demo.articles import load_articles
from helpdesk.demo.catalogue import load_catalogue
from helpdesk.demo.history import load_history
from helpdesk.settings import HelpdeskSettings
from search import SearchIndex

DEMO = Principal(subject="demo-loader", roles=frozenset({"agent"}))


async def load_demo(settings: HelpdeskSettings) -> dict[str, int]:
    """Load everything in one transaction, once: a second run finds the calendars and stops."""
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            if await session.get(CalendarRow, ids.NORWAY) is not None:
                return {}
            await load_catalogue(session, principal=DEMO)
            articles = await load_articles(
                session, principal=DEMO, index=SearchIndex(search_index_tables)
            )
            created = await load_history(session, now=utcnow())
        await db.refresh_statistics()
    return created | {"articles": articles, "services": 4, "calendars": 3}


__all__ = ["load_demo"]
