"""What the helpdesk builds once per process at start-up: the knowledge base's search index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from chassis.runtime import Runtime, resources_dependency
from helpdesk.db import search_index_tables
from helpdesk.settings import HelpdeskSettings
from search import SearchIndex


@dataclass(frozen=True)
class HelpdeskResources:
    index: SearchIndex


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
