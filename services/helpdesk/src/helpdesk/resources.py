"""What the helpdesk builds once per process at start-up: the knowledge base's search index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from chassis.runtime import Runtime, resources_dependency
from helpdesk.db import search_index_tables
from helpdesk.settings import HelpdeskSettings
from helpdesk.timed_cache import TimedCache
from search import SearchIndex

QUARTER_RESULTS_TTL = 300.0


@dataclass(frozen=True)
class HelpdeskResources:
    index: SearchIndex
    # Last quarter's results beside the published promises: a closed quarter changes rarely
    # (a late resolution), so each process recomputes them at most every few minutes.
    quarter_results: TimedCache = field(default_factory=lambda: TimedCache(QUARTER_RESULTS_TTL))


@asynccontextmanager
async def helpdesk_resources(
    settings: HelpdeskSettings, runtime: Runtime
) -> AsyncIterator[HelpdeskResources]:
    """The index, read once at start-up so the first search does not pay for it."""
    index = SearchIndex(search_index_tables)
    async with runtime.db.reader() as session:
        await index.warm(session)
    yield HelpdeskResources(index=index)


ResourcesDep = Annotated[HelpdeskResources, Depends(resources_dependency(HelpdeskResources))]
