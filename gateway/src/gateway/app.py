"""create_app(settings): the gateway's application, the proxy in front of its own routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import structlog
from argon2 import PasswordHasher
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CollectorRegistry

from chassis.auth import TokenVerifier
from chassis.db import Database
from chassis.logging import configure_logging
from chassis.middleware import EdgeMiddleware, HttpMetrics, outbound_client
from chassis.problems import install_problem_handlers
from chassis.service import install_database_handlers
from chassis.settings import AuthSettings
from gateway import oauth
from gateway.breaker import BreakerStates
from gateway.clients import SecretChecker
from gateway.contract import ContractCache, gateway_document
from gateway.cors import CorsPolicy
from gateway.edge import GatewayEdge
from gateway.health import health_router
from gateway.keys.ring import KeyRing
from gateway.keys.signing_key import ALGORITHM
from gateway.proxy.middleware import ProxyMiddleware
from gateway.ratelimit import RateLimitMetrics, open_rate_limiter
from gateway.runtime import GatewayRuntime, gateway_runtime
from gateway.settings import GatewaySettings
from gateway.upstreams import close_upstreams, open_upstreams

VERSION = "0.1.0"
TAGS = [{"name": "auth", "description": "Access tokens for registered API clients"}]

log = structlog.get_logger("gateway.app")


def own_verifier(
    settings: GatewaySettings, keys: KeyRing, http: httpx.AsyncClient
) -> TokenVerifier:
    """The kit's verifier: the gateway's own keys in process (no HTTP to itself), and the trusted
    external issuers (GATEWAY_AUTH__TRUSTED_ISSUERS) fetched over `http`."""
    auth = AuthSettings.model_validate(
        {
            **settings.auth.model_dump(),
            "issuer": settings.issuer,
            "audience": settings.audience,
            "algorithms": [ALGORITHM],
            "jwks_json": None,
        }
    )
    return TokenVerifier(auth, http, own_keys=keys)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(level=settings.log_level, fmt=settings.log_format)
        db = Database(settings)
        try:
            keys = await KeyRing.open(settings, db)
        except BaseException:
            await db.dispose()
            raise
        http = outbound_client()
        upstreams = open_upstreams(settings)
        breaker_states = BreakerStates(upstreams)
        registry.register(breaker_states)
        contracts = ContractCache(app.openapi, settings.contract_cache_seconds)
        limiter = open_rate_limiter(settings, limit_metrics)
        cors = CorsPolicy(
            settings.cors_origins,
            max_age_seconds=settings.cors_max_age_seconds,
            load_contract=lambda: contracts.document(upstreams, settings.health_timeout_seconds),
        )
        app.state.runtime = GatewayRuntime(
            settings=settings,
            db=db,
            keys=keys,
            verifier=own_verifier(settings, keys, http),
            secrets=SecretChecker(PasswordHasher()),
            upstreams=upstreams,
            contracts=contracts,
            limiter=limiter,
            cors=cors,
        )
        log.info(
            "gateway_started",
            database=db.backend,
            kid=keys.signing_key.kid,
            upstreams=settings.upstream_urls(),
        )
        try:
            yield
        finally:
            registry.unregister(breaker_states)
            await cors.close()
            if limiter is not None:
                await limiter.close()
            await close_upstreams(upstreams)
            await keys.close()
            await http.aclose()
            await db.dispose()
            log.info("gateway_stopped")

    app = FastAPI(
        title="Gateway",
        description="The platform's own operations: access tokens and the key set that verifies them.",
        version=VERSION,
        lifespan=lifespan,
        openapi_tags=TAGS,
        # Served below: the merged contract at /openapi.json, Swagger UI reading it at /docs.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    install_problem_handlers(app)
    install_database_handlers(app)
    registry = CollectorRegistry()
    limit_metrics = RateLimitMetrics(registry)
    app.include_router(oauth.router)
    app.include_router(health_router(registry))

    @app.get("/openapi.json", include_in_schema=False)
    async def merged_contract(request: Request) -> JSONResponse:
        runtime = gateway_runtime(request.app)
        document = await runtime.contracts.document(
            runtime.upstreams, runtime.settings.health_timeout_seconds
        )
        return JSONResponse(document)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Library platform API")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = gateway_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(ProxyMiddleware)
    # Header size, Authorization, path, rate limit and CORS: decided before routing, so they
    # hold for the gateway's own routes and the proxied ones alike.
    app.add_middleware(
        GatewayEdge,
        max_header_bytes=settings.max_header_bytes,
        trusted_proxies=settings.trusted_proxies,
    )
    # Outermost: every request, proxied or not, gets a request id, an access line, the metrics
    # and the body limit. Not JSON-only: the token endpoint takes a form.
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=settings.max_body_bytes,
        metrics=HttpMetrics(registry),
        json_only=False,
    )
    return app
