"""What the lifespan builds for one service process, kept in typed application state."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from chassis.auth import TokenVerifier
from chassis.db import Database
from chassis.migrations import SchemaRevisions
from chassis.policy import Policy
from chassis.settings import ServiceSettings


@dataclass
class Runtime:
    settings: ServiceSettings
    db: Database
    http: httpx.AsyncClient
    verifier: TokenVerifier
    policy: Policy
    schema: SchemaRevisions


def get_runtime(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


def app_runtime(app: Starlette) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime
