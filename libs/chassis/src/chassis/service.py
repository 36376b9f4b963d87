"""build_app: one FastAPI application from a service's settings and its specification."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, APIRouter
from prometheus_client import CollectorRegistry
from sqlalchemy.exc import IntegrityError, InterfaceError, InternalError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.middleware import Middleware

from chassis.auth import TokenVerifier
from chassis.db import Database
from chassis.health import health_router
from chassis.jobs import Job, JobMetrics, JobRunner
from chassis.logging import configure_logging
from chassis.middleware import EdgeMiddleware, HttpMetrics, outbound_client
from chassis.migrations import SchemaRevisions
from chassis.openapi import contract
from chassis.policy import Policy, authorize, operation_id_of
from chassis.problems import TYPE_PREFIX, install_problem_handlers, problem_response
from chassis.query import read_parameters_directly, reject_unknown_query
from chassis.runtime import Runtime
from chassis.settings import ServiceSettings

log = structlog.get_logger("chassis.service")

# A component's own resources (caches, clients, key rings...): an async context manager built from
# its settings (its own settings class) and the kit's runtime, entered once at start-up after the
# database and the outbound client exist, exited at shutdown before they close.
ResourcesFactory = Callable[[Any, Runtime], AbstractAsyncContextManager[object]]


@dataclass(frozen=True)
class ServiceSpec:
    """What makes one service different from the others; everything else is the chassis."""

    name: str
    title: str
    description: str
    version: str
    component_dir: Path
    routers: Sequence[APIRouter]
    policy: Policy
    tags: Sequence[dict[str, str]] = field(default_factory=tuple)
    # Pure-ASGI layers of the service's own, run inside the edge (request id, access log, metrics
    # and limits already apply) and before routing: e.g. answering a hot read from a cache.
    middleware: Sequence[Middleware] = field(default_factory=tuple)
    # The component's own resources, kept in `Runtime.resources` and reached through
    # `chassis.runtime.resources_dependency` (routes) or `resources_of` (pure ASGI).
    resources: ResourcesFactory | None = None
    # Periodic and due-time work, run by one replica at a time (chassis.jobs).
    jobs: Sequence[Job] = field(default_factory=tuple)

    @property
    def alembic_ini(self) -> Path:
        return self.component_dir / "alembic.ini"


def operation_id(route: APIRoute) -> str:
    return operation_id_of(route) or route.unique_id


def service_lifespan(
    settings: ServiceSettings, spec: ServiceSpec, *, registry: CollectorRegistry
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The start-up and shutdown of one process: logging, the database built from its settings,
    the outbound HTTP client, the token verifier, then the component's own resources and its
    jobs' runner; all kept in `app.state.runtime` and closed in reverse order. Services and the
    gateway share it; `registry` is the process's Prometheus registry (the jobs' metrics)."""
    job_metrics = JobMetrics(registry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(level=settings.log_level, fmt=settings.log_format)
        async with AsyncExitStack() as opened:
            db = Database(settings)
            opened.push_async_callback(db.dispose)
            http = outbound_client()
            opened.push_async_callback(http.aclose)
            runtime = Runtime(
                settings=settings,
                db=db,
                http=http,
                verifier=TokenVerifier(settings.auth, http),
                policy=spec.policy,
                schema=SchemaRevisions.of(spec.alembic_ini),
            )
            if spec.resources is not None:
                runtime.resources = await opened.enter_async_context(
                    spec.resources(settings, runtime)
                )
            app.state.runtime = runtime
            # Last in, first out: the runner stops (a run in progress finishes) before the
            # resources, the HTTP client and the database close.
            await opened.enter_async_context(
                JobRunner(db, spec.jobs, settings, metrics=job_metrics, runtime=runtime)
            )
            log.info(
                "service_started",
                service=spec.name,
                database=db.backend,
                settings=settings.safe_dump(),
            )
            yield
        log.info("service_stopped", service=spec.name)

    return lifespan


def build_app(settings: ServiceSettings, spec: ServiceSpec) -> FastAPI:
    registry = CollectorRegistry()
    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=service_lifespan(settings, spec, registry=registry),
        generate_unique_id_function=operation_id,
        openapi_tags=list(spec.tags),
        redirect_slashes=False,
    )
    install_problem_handlers(app)
    install_database_handlers(app)
    app.include_router(health_router(registry))
    for router in spec.routers:
        app.include_router(router, dependencies=[Depends(authorize), Depends(reject_unknown_query)])
    read_parameters_directly(app)
    # Added first, so they sit inside the edge middleware (each add wraps what is there).
    for layer in reversed(spec.middleware):
        app.add_middleware(layer.cls, *layer.args, **layer.kwargs)
    app.add_middleware(
        EdgeMiddleware,
        max_body_bytes=settings.max_body_bytes,
        metrics=HttpMetrics(registry),
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = contract(app, spec.policy)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def install_database_handlers(app: FastAPI) -> None:
    """Stale version -> 412, integrity conflict -> 409, database busy or down -> 503."""

    async def stale(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            request,
            412,
            type_=f"{TYPE_PREFIX}stale-version",
            detail="The resource was changed by another request; read it again",
        )

    async def conflict(request: Request, exc: Exception) -> JSONResponse:
        log.info("integrity_conflict", reason=str(getattr(exc, "orig", exc))[:200])
        return problem_response(
            request,
            409,
            type_=f"{TYPE_PREFIX}conflict",
            detail="The change conflicts with existing data (a duplicate or a missing reference)",
        )

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database_unavailable", reason=str(getattr(exc, "orig", exc))[:200])
        return problem_response(
            request,
            503,
            type_=f"{TYPE_PREFIX}database-unavailable",
            detail="The database is busy or unreachable; try again shortly",
            headers={"Retry-After": "2"},
        )

    app.add_exception_handler(StaleDataError, stale)
    app.add_exception_handler(IntegrityError, conflict)
    # A lost connection surfaces as OperationalError or InterfaceError once SQLAlchemy wraps it
    # (InternalError when asyncpg's protocol is caught mid-statement by a server ending the
    # session), but a failed connect reaches us as the driver's own ConnectionError or
    # TimeoutError.
    for unreachable in (
        OperationalError,
        InterfaceError,
        InternalError,
        ConnectionError,
        TimeoutError,
    ):
        app.add_exception_handler(unreachable, unavailable)
