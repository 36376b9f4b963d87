"""The gateway's own resources (ServiceSpec.resources), built at start-up beside the kit's runtime."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from chassis.auth import TokenVerifier
from chassis.db import Database
from chassis.runtime import resources_of
from gateway.clients import SecretChecker
from gateway.contract import ContractCache
from gateway.cors import CorsPolicy
from gateway.keys.ring import KeyRing
from gateway.ratelimit import RateLimiter
from gateway.settings import GatewaySettings
from gateway.upstreams import Upstream


@dataclass(frozen=True)
class GatewayRuntime:
    settings: GatewaySettings
    db: Database
    # The signing key and the published key set, following rotations in the database.
    keys: KeyRing
    verifier: TokenVerifier
    secrets: SecretChecker
    upstreams: dict[str, Upstream]
    contracts: ContractCache
    # None when rate limits are switched off (GATEWAY_RATE_LIMIT_ENABLED=false).
    limiter: RateLimiter | None
    cors: CorsPolicy


class GatewayNotReady(Exception):
    """The gateway's resources are not open yet: `reason` says what it waits for."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class GatewayStart:
    """The kit's `resources` of the gateway: its runtime once it could be opened. Until the
    database is migrated (the migration Job may finish after the pods start) it is None, and
    `waiting_for` says why; the gateway answers live, not ready, and 503 to the rest."""

    runtime: GatewayRuntime | None = None
    waiting_for: str = "start-up"
    # Set once `runtime` is open.
    opened: asyncio.Event = field(default_factory=asyncio.Event)

    def open(self, runtime: GatewayRuntime) -> None:
        self.runtime = runtime
        self.opened.set()


def gateway_start(app: Any) -> GatewayStart:
    return resources_of(app, GatewayStart)


def gateway_runtime(app: Any) -> GatewayRuntime:
    """The resources of a started gateway application (from `request.app` or `scope["app"]`);
    GatewayNotReady while the gateway waits for its database."""
    start = resources_of(app, GatewayStart)
    if start.runtime is None:
        raise GatewayNotReady(start.waiting_for)
    return start.runtime
