"""The demo data `make run` loads: the judged search set's courses and lessons, published (slug =
document id), and a calendar next month in Oslo, Gent and Assen with waiting lists and a
recording; idempotent."""

from __future__ import annotations

from chassis.db import Database
from training.demo.calendar import load_calendar
from training.demo.corpus import load_corpus, read_corpus
from training.resources import build_index
from training.settings import TrainingSettings
from training.wiring import wire


async def load_demo(settings: TrainingSettings) -> dict[str, int]:
    """Load the demo content in one transaction; returns how many items of each kind were
    created (nothing the second time)."""
    # The platform's runner imports this function by name, not the app that wires the domains.
    wire()
    async with Database(settings) as db:
        async with db.writer() as session, session.begin():
            index = build_index()
            created = await load_corpus(session, index=index, items=read_corpus())
            created |= await load_calendar(session, index=index)
        await db.refresh_statistics()
    return created


__all__ = ["load_demo"]
