"""What the catalogue service builds once per process at start-up, from its settings: the
catalogue's answer cache, the fast path's request signatures, the calendar's time zone and the
sealer of offers' content."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends

from catalogue_licensing.catalogue.cache import Signatures, read_generation
from catalogue_licensing.procurement.offers.sealing import OfferSealer
from catalogue_licensing.settings import CatalogueSettings
from chassis.caching import GenerationCache
from chassis.runtime import Runtime, resources_dependency


@dataclass(frozen=True)
class CatalogueResources:
    cache: GenerationCache
    signatures: Signatures
    # Whose calendar decides which agreements are current ("today" in this zone).
    zone: ZoneInfo
    # Seals offers' content for the database, from a secret the database does not hold.
    sealer: OfferSealer


@asynccontextmanager
async def catalogue_resources(
    settings: CatalogueSettings, runtime: Runtime
) -> AsyncIterator[CatalogueResources]:
    """ServiceSpec.resources of the catalogue service: nothing to close, all in memory."""
    yield CatalogueResources(
        cache=GenerationCache(
            read_generation=read_generation,
            max_staleness=settings.cache_max_staleness_seconds,
            max_entries=settings.cache_entries,
        ),
        signatures=Signatures(settings.cache_entries),
        zone=ZoneInfo(settings.time_zone),
        sealer=await asyncio.to_thread(OfferSealer.from_settings, settings),
    )


ResourcesDep = Annotated[CatalogueResources, Depends(resources_dependency(CatalogueResources))]
