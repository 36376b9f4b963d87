"""How a failed exchange with a service is answered: 502, 503 or 504, or a response cut short."""

from __future__ import annotations

import aiohttp
import structlog

from chassis.problems import ProblemError
from gateway.breaker import retry_after_header
from gateway.upstreams import Upstream

log = structlog.get_logger("gateway.proxy")


class UpstreamProblem(ProblemError):
    """The service failed the exchange before the gateway sent a byte of its answer (502, 503
    or 504); counts against the service's breaker."""


class ResponseCutShort(Exception):
    """The service's answer broke after its status line was passed on. Raised out of the ASGI
    application, so the server closes the connection and the caller sees a truncated response;
    counts against the service's breaker."""


def breaker_open(upstream: Upstream, wait: float) -> ProblemError:
    """The answer while the service's breaker is open; not a failure of the service itself."""
    return ProblemError(
        503,
        "upstream-unavailable",
        f"The {upstream.name} service is failing; the gateway stops calling it for a moment",
        headers={"Retry-After": retry_after_header(wait)},
    )


def upstream_problem(upstream: Upstream, exc: BaseException) -> UpstreamProblem:
    name = upstream.name
    log.warning("upstream_failed", reason=f"{type(exc).__name__}: {exc}")
    # Checked before TimeoutError: a connect timeout (no handshake, or no free pooled connection
    # within the connect timeout) is a TimeoutError too, but it means the service is not
    # reachable, not that it is slow to answer.
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return UpstreamProblem(
            503,
            "upstream-unavailable",
            f"The {name} service is not reachable; try again shortly",
            headers={"Retry-After": retry_after_header(upstream.breaker.cool_down_seconds)},
        )
    if isinstance(exc, TimeoutError):
        return UpstreamProblem(
            504, "upstream-timeout", f"The {name} service did not answer in time"
        )
    return UpstreamProblem(502, "upstream-broken", f"The {name} service sent a broken response")
