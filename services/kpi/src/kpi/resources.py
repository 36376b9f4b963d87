"""What the kpi service builds once per process at start-up from its settings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from chassis.outbound import OutboundClient
from chassis.runtime import Runtime, resources_dependency
from chassis.sealing import load_secret_file
from chassis.settings import ServiceSettings
from kpi.imports.runner import ImportRunner
from kpi.portal.service import Portal
from kpi.settings import KpiSettings
from kpi.sushi.client import sushi_policy
from kpi.sushi.sealing import CredentialSealer


@dataclass(frozen=True)
class KpiResources:
    imports: ImportRunner
    # Vendors' SUSHI servers: the kit's checked outbound client; their credentials' sealer.
    sushi: OutboundClient
    sealer: CredentialSealer
    # The data portal's data and rendered pages (kpi.portal).
    portal: Portal


def _sealer(settings: KpiSettings) -> CredentialSealer:
    if settings.sushi.sealing_secret is not None:
        return CredentialSealer(settings.sushi.sealing_secret.get_secret_value().encode())
    return CredentialSealer(load_secret_file(settings.resolved_sushi_secret_file()))


@asynccontextmanager
async def kpi_resources(settings: ServiceSettings, runtime: Runtime) -> AsyncIterator[KpiResources]:
    assert isinstance(settings, KpiSettings)
    sealer = await asyncio.to_thread(_sealer, settings)
    runner = ImportRunner(runtime.db)
    try:
        async with OutboundClient(sushi_policy(settings)) as sushi:
            portal = Portal(
                public_url=settings.public_url,
                max_staleness=settings.portal_cache_seconds,
                max_entries=settings.portal_cache_entries,
            )
            yield KpiResources(imports=runner, sushi=sushi, sealer=sealer, portal=portal)
    finally:
        await runner.stop()


ResourcesDep = Annotated[KpiResources, Depends(resources_dependency(KpiResources))]
