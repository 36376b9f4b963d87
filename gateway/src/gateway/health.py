"""The gateway's liveness, every service's readiness as the gateway sees it, and the metrics."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry

from chassis.health import process_router
from chassis.problems import TYPE_PREFIX, problem_response
from gateway.edge import CALLER_ADDRESS
from gateway.runtime import gateway_runtime
from gateway.upstreams import Upstream, get_json

RETRY_AFTER_SECONDS = "5"


async def upstream_readiness(upstream: Upstream, timeout_seconds: float) -> dict[str, Any]:
    """One service's `/health/ready`, summarised: status ok or unavailable, latency, and why."""
    started = time.perf_counter()
    try:
        status, body = await get_json(upstream, "/health/ready", timeout_seconds)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        status, body = None, {"detail": _reason(exc, timeout_seconds)}
    report: dict[str, Any] = {
        "status": "ok" if status == 200 else "unavailable",
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        # What the proxy does with the service's routes now; the probe above bypasses it, so a
        # recovered service shows as ok here while its breaker still waits out its cool-down.
        "breaker": upstream.breaker.state.value,
    }
    if status != 200:
        detail = body.get("detail") if isinstance(body, dict) else None
        report["detail"] = f"HTTP {status}: {detail}" if status is not None else detail
    return report


def _reason(exc: BaseException, timeout_seconds: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout_seconds:g}s"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connection refused or host unreachable"
    if isinstance(exc, ValueError):
        return "the answer is not JSON"
    return "the connection broke"


def metrics_reader(token: str) -> Callable[[Request], bool]:
    """Who may read the gateway's metrics: a caller on this machine, or one with the token."""
    expected = f"Bearer {token}".encode() if token else None

    def allowed(request: Request) -> bool:
        address = request.scope.get("state", {}).get(CALLER_ADDRESS)
        if address is not None and _is_loopback(address):
            return True
        given = request.headers.get("authorization", "").encode()
        return expected is not None and hmac.compare_digest(given, expected)

    return allowed


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def health_router(registry: CollectorRegistry, *, metrics_token: str = "") -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.include_router(process_router(registry, metrics_allowed=metrics_reader(metrics_token)))

    @router.get("/health/ready")
    async def ready(request: Request) -> Response:
        """The gateway's own readiness (its database migrated, its keys loaded), not its
        upstreams': one service down must not take every replica out of the Service. While it
        waits, the edge answers 503 before this route (GatewayEdge)."""
        gateway_runtime(request.app)
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    @router.get("/health")
    async def health(request: Request) -> Response:
        runtime = gateway_runtime(request.app)
        names = list(runtime.upstreams)
        reports = await asyncio.gather(
            *(
                upstream_readiness(runtime.upstreams[name], runtime.settings.health_timeout_seconds)
                for name in names
            )
        )
        upstreams = dict(zip(names, reports, strict=True))
        down = [name for name, report in upstreams.items() if report["status"] != "ok"]
        if down:
            return problem_response(
                request,
                503,
                type_=f"{TYPE_PREFIX}upstream-unavailable",
                detail=f"Not ready: {', '.join(down)}",
                headers={"Retry-After": RETRY_AFTER_SECONDS, "Cache-Control": "no-store"},
                extra={"upstreams": upstreams},
            )
        return JSONResponse(
            {"status": "ok", "upstreams": upstreams}, headers={"Cache-Control": "no-store"}
        )

    return router
