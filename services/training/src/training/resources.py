"""What the training service builds once per process at start-up, from its settings: the search
index of its published content."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from chassis.runtime import Runtime, resources_dependency
from search import SearchIndex
from training.db import search_documents, search_state
from training.settings import TrainingSettings


@dataclass(frozen=True)
class TrainingResources:
    # Published courses, lessons and transcripts (libs/search): in memory, caught up with what
    # other processes committed before each search.
    index: SearchIndex


def build_index() -> SearchIndex:
    return SearchIndex((search_documents, search_state))


@asynccontextmanager
async def training_resources(
    settings: TrainingSettings, runtime: Runtime
) -> AsyncIterator[TrainingResources]:
    """ServiceSpec.resources of the training service: nothing to close, all in memory."""
    yield TrainingResources(index=build_index())


ResourcesDep = Annotated[TrainingResources, Depends(resources_dependency(TrainingResources))]
