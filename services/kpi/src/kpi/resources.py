"""What the kpi service builds once per process at start-up from its settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from chassis.runtime import Runtime, resources_dependency
from chassis.settings import ServiceSettings
from kpi.imports.runner import ImportRunner


@dataclass(frozen=True)
class KpiResources:
    imports: ImportRunner


@asynccontextmanager
async def kpi_resources(settings: ServiceSettings, runtime: Runtime) -> AsyncIterator[KpiResources]:
    runner = ImportRunner(runtime.db)
    try:
        yield KpiResources(imports=runner)
    finally:
        await runner.stop()


ResourcesDep = Annotated[KpiResources, Depends(resources_dependency(KpiResources))]
