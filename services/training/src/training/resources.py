"""What the training service builds once per process at start-up, from its settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from chassis.runtime import Runtime, resources_dependency
from training.content.publication import ContentIndex
from training.settings import TrainingSettings


@dataclass(frozen=True)
class TrainingResources:
    # Where published content is put for search (None until the search mechanism is wired in).
    index: ContentIndex | None


@asynccontextmanager
async def training_resources(
    settings: TrainingSettings, runtime: Runtime
) -> AsyncIterator[TrainingResources]:
    yield TrainingResources(index=None)


ResourcesDep = Annotated[TrainingResources, Depends(resources_dependency(TrainingResources))]
