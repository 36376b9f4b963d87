"""What the lifespan builds for one process, kept in typed application state, and how code reaches it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from starlette.requests import HTTPConnection

from chassis.auth import TokenVerifier
from chassis.db import Database
from chassis.migrations import SchemaRevisions
from chassis.rules import Policy
from chassis.settings import ServiceSettings

R = TypeVar("R")


@dataclass
class Runtime:
    """The kit's part (settings, database, outbound HTTP, token verifier, policy, schema) and the
    component's own resources, built once at start-up from its settings (ServiceSpec.resources)."""

    settings: ServiceSettings
    db: Database
    http: httpx.AsyncClient
    verifier: TokenVerifier
    policy: Policy
    schema: SchemaRevisions
    # What the component's ServiceSpec.resources yielded (None when it has none); read it
    # through `resources_of` or a `resources_dependency`, which check its type.
    resources: object = None


def get_runtime(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


def app_runtime(app: Any) -> Runtime:
    """The runtime of a started application (`request.app`, or `scope["app"]` in pure ASGI)."""
    runtime: Runtime = app.state.runtime
    return runtime


def resources_of(app: Any, kind: type[R]) -> R:
    """The component's own resources, as the type its ServiceSpec declared."""
    resources = app_runtime(app).resources
    if not isinstance(resources, kind):
        # A programming error (a dependency asking for another component's resources), not input.
        raise TypeError(f"this application's resources are {type(resources).__name__}, not {kind}")
    return resources


def resources_dependency(kind: type[R]) -> Callable[[HTTPConnection], Awaitable[R]]:
    """A FastAPI dependency answering the component's resources: wrap it in an Annotated alias,
    `CatalogueResourcesDep = Annotated[CatalogueResources, Depends(resources_dependency(...))]`."""

    # async: FastAPI runs a plain `def` dependency on its thread pool (a hop per request).
    async def component_resources(connection: HTTPConnection) -> R:
        return resources_of(connection.app, kind)

    return component_resources
