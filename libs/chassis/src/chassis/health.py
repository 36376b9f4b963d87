"""Liveness, readiness (database reachable, migrations at head) and the Prometheus endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text

from chassis.migrations import current_revisions
from chassis.problems import problem_response
from chassis.runtime import get_runtime

READY_TIMEOUT_SECONDS = 2.0


def process_router(
    registry: CollectorRegistry, *, metrics_allowed: Callable[[Request], bool] | None = None
) -> APIRouter:
    """What every process serves, the gateway included: liveness and its Prometheus metrics.

    `metrics_allowed`: who may read the metrics (the gateway faces the internet); anyone else is
    answered 404, as for a path that does not exist."""
    router = APIRouter(include_in_schema=False)

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        if metrics_allowed is not None and not metrics_allowed(request):
            return problem_response(request, 404, detail="No such resource")
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def health_router(registry: CollectorRegistry) -> APIRouter:
    """A service's liveness and metrics, and its readiness: database reachable, schema current."""
    router = APIRouter(include_in_schema=False)
    router.include_router(process_router(registry))

    @router.get("/health/ready")
    async def ready(request: Request) -> Response:
        runtime = get_runtime(request)
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS), runtime.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                revisions = await conn.run_sync(current_revisions)
        except Exception as exc:  # any failure to reach the database means "not ready"
            return problem_response(
                request,
                503,
                detail=f"database unreachable: {type(exc).__name__}",
                headers={"Retry-After": "5"},
            )
        schema = runtime.schema.compare(revisions)
        if schema == "behind":
            return problem_response(
                request,
                503,
                detail=(
                    f"migrations not at head: database at {sorted(revisions)}, "
                    f"code at {sorted(runtime.schema.heads)}"
                ),
                headers={"Retry-After": "5"},
            )
        return JSONResponse(
            {
                "status": "ok",
                "database": runtime.db.backend,
                "revision": sorted(revisions),
                "schema": schema,
            }
        )

    return router
