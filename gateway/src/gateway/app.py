"""create_app(settings): the gateway's application, the proxy in front of its own routes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import structlog
from argon2 import PasswordHasher
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CollectorRegistry
from starlette.staticfiles import StaticFiles

from chassis.audit import audit_router
from chassis.auth import TokenVerifier
from chassis.middleware import EdgeMiddleware, HttpMetrics
from chassis.migrations import current_revisions
from chassis.policy import authorize
from chassis.problems import install_problem_handlers
from chassis.query import reject_unknown_query
from chassis.runtime import Runtime
from chassis.service import (
    ServiceSpec,
    install_database_handlers,
    operation_id,
    service_lifespan,
)
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
from gateway.models import audit_log
from gateway.onboarding.policy import POLICY
from gateway.onboarding.routes import PREFIX as OWN_PREFIX
from gateway.onboarding.routes import router as clients_router
from gateway.proxy.middleware import ProxyMiddleware
from gateway.ratelimit import RateLimitMetrics, open_rate_limiter
from gateway.runtime import GatewayRuntime, GatewayStart, gateway_runtime
from gateway.settings import GatewaySettings
from gateway.upstreams import close_upstreams, open_upstreams

VERSION = "0.1.0"
SWAGGER_UI_FILES = Path(str(files("swagger_ui") / "static"))
TAGS = [
    {"name": "auth", "description": "Access tokens for registered API clients"},
    {
        "name": "clients",
        "description": "API clients of vendors, libraries and counties, onboarded by the programme",
    },
    {"name": "audit", "description": "Who registered, rotated or revoked which API client"},
]

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


# The gateway's routes and proxy are its own (create_app); the spec names it, its migrations and
# its resources for the kit's command line and lifespan, and the policy of its own kit-authorized
# routes under /gateway/v1 (client onboarding and its audit trail).
SPEC = ServiceSpec(
    name="gateway",
    title="Gateway",
    description="The platform's one address",
    version=VERSION,
    component_dir=Path(__file__).resolve().parents[2],
    routers=(),
    policy=POLICY,
)


async def database_not_ready(settings: GatewaySettings, runtime: Runtime) -> str | None:
    """Why the gateway cannot open its resources yet (database unreachable or not migrated to
    this code's head), or None when it can."""
    try:
        async with (
            asyncio.timeout(settings.health_timeout_seconds),
            runtime.db.engine.connect() as conn,
        ):
            revisions = await conn.run_sync(current_revisions)
    except Exception as exc:  # any failure to reach the database means "wait"
        return f"its database is unreachable ({type(exc).__name__})"
    if runtime.schema.compare(revisions) == "behind":
        return (
            f"its database is not migrated (at {sorted(revisions) or 'no revision'}, "
            f"the code at {sorted(runtime.schema.heads)})"
        )
    return None


def gateway_resources(
    registry: CollectorRegistry, limit_metrics: RateLimitMetrics, openapi: Callable[[], Any]
) -> Callable[[GatewaySettings, Runtime], AbstractAsyncContextManager[GatewayStart]]:
    """ServiceSpec.resources of the gateway: the key ring, upstreams with their breakers, the
    merged contract, rate limits and CORS, opened after the kit's database and HTTP client and
    closed before them. On a database not yet migrated they are opened later, when it is: the
    process starts, answers live and waits unready (`GatewayStart`), instead of exiting."""

    @asynccontextmanager
    async def open_start(
        settings: GatewaySettings, runtime: Runtime
    ) -> AsyncIterator[GatewayStart]:
        start = GatewayStart()
        async with AsyncExitStack() as opened:
            waiting = await database_not_ready(settings, runtime)
            if waiting is None:
                start.open(await opened.enter_async_context(open_resources(settings, runtime)))
                yield start
                return
            start.waiting_for = waiting
            log.warning("gateway_waiting_for_database", reason=waiting)

            async def open_when_ready() -> None:
                # A database that was slow to answer once (a loaded node) is asked again soon;
                # one still behind its migrations, every schema_wait_seconds.
                pause = min(0.25, settings.schema_wait_seconds)
                while start.runtime is None:
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, settings.schema_wait_seconds)
                    waiting = await database_not_ready(settings, runtime)
                    if waiting is not None:
                        start.waiting_for = waiting
                        continue
                    try:
                        start.open(
                            await opened.enter_async_context(open_resources(settings, runtime))
                        )
                    except Exception as exc:
                        start.waiting_for = f"its start-up failed ({exc!r})"
                        log.error("gateway_start_failed", reason=repr(exc))

            task = asyncio.create_task(open_when_ready(), name="gateway-start")
            try:
                yield start
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    @asynccontextmanager
    async def open_resources(
        settings: GatewaySettings, runtime: Runtime
    ) -> AsyncIterator[GatewayRuntime]:
        async with AsyncExitStack() as opened:
            keys = await KeyRing.open(settings, runtime.db)
            opened.push_async_callback(keys.close)
            # The gateway verifies with its own keys in process, not through its JWKS URL.
            runtime.verifier = own_verifier(settings, keys, runtime.http)
            upstreams = open_upstreams(settings)
            opened.push_async_callback(close_upstreams, upstreams)
            breaker_states = BreakerStates(upstreams)
            registry.register(breaker_states)
            opened.callback(registry.unregister, breaker_states)
            contracts = ContractCache(openapi, settings.contract_cache_seconds)
            limiter = open_rate_limiter(settings, limit_metrics)
            if limiter is not None:
                opened.push_async_callback(limiter.close)
            cors = CorsPolicy(
                settings.cors_origins,
                max_age_seconds=settings.cors_max_age_seconds,
                load_contract=lambda: contracts.document(
                    upstreams, settings.contract_timeout_seconds
                ),
            )
            opened.push_async_callback(cors.close)
            log.info(
                "gateway_started", kid=keys.signing_key.kid, upstreams=settings.upstream_urls()
            )
            yield GatewayRuntime(
                settings=settings,
                db=runtime.db,
                keys=keys,
                verifier=runtime.verifier,
                secrets=SecretChecker(
                    PasswordHasher(),
                    at_once=settings.secret_checks_at_once,
                    waiting=settings.secret_checks_waiting,
                ),
                upstreams=upstreams,
                contracts=contracts,
                limiter=limiter,
                cors=cors,
            )

    return open_start


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    registry = CollectorRegistry()
    limit_metrics = RateLimitMetrics(registry)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = gateway_document(app)
        return app.openapi_schema

    spec = replace(SPEC, resources=gateway_resources(registry, limit_metrics, openapi))
    app = FastAPI(
        title="Gateway",
        description="The platform's own operations: access tokens and the key set that verifies them.",
        version=VERSION,
        lifespan=service_lifespan(settings, spec, registry=registry),
        openapi_tags=TAGS,
        servers=[{"url": settings.public_url, "description": "The platform's gateway"}],
        # Served below: the merged contract at /openapi.json, Swagger UI reading it at /docs.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
        generate_unique_id_function=operation_id,
    )
    install_problem_handlers(app)
    install_database_handlers(app)
    app.include_router(oauth.router)
    # Authorized by the kit's policy (the gateway's own verifier), like a service's /v1 routes.
    for router in (clients_router, audit_router(audit_log)):
        app.include_router(
            router,
            prefix=OWN_PREFIX,
            dependencies=[Depends(authorize), Depends(reject_unknown_query)],
        )
    app.include_router(
        health_router(registry, metrics_token=settings.metrics_token.get_secret_value())
    )

    @app.get("/openapi.json", include_in_schema=False)
    async def merged_contract(request: Request) -> JSONResponse:
        runtime = gateway_runtime(request.app)
        document = await runtime.contracts.document(
            runtime.upstreams, runtime.settings.contract_timeout_seconds
        )
        return JSONResponse(document)

    # Swagger UI's files from the pinned swagger-ui-py package: the page loads nothing from
    # another host (issue 15, point 15), and works where the CDN is not reachable.
    app.mount("/docs/assets", StaticFiles(directory=SWAGGER_UI_FILES), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Library platform API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
            # Swagger UI would otherwise send the contract's URL to the public validator.
            swagger_ui_parameters={"validatorUrl": None},
        )

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
