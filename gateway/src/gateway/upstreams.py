"""The services behind the gateway: one HTTP connection pool and one breaker per service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
import structlog

from gateway.breaker import CircuitBreaker
from gateway.settings import GatewaySettings

# Below uvicorn's keep-alive (5 s): the gateway drops an idle connection before the service does,
# instead of sending a request on a connection the service is just closing.
KEEPALIVE_SECONDS = 4.0


@dataclass(frozen=True)
class Upstream:
    name: str
    base_url: str
    session: aiohttp.ClientSession
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    # How long a caller may leave the body it sends this service without a new piece (408).
    client_body_timeout_seconds: float = 10.0


def _session(settings: GatewaySettings) -> aiohttp.ClientSession:
    connect = settings.upstream_connect_timeout_seconds
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=settings.upstream_pool_size, keepalive_timeout=KEEPALIVE_SECONDS
        ),
        # `connect` covers waiting for a free pooled connection too; `sock_connect` the handshake.
        timeout=aiohttp.ClientTimeout(
            total=settings.upstream_total_timeout_seconds,
            connect=connect,
            sock_connect=connect,
            sock_read=settings.upstream_read_timeout_seconds,
        ),
        # A proxy passes bodies and headers through as they are: no decompression, no cookies
        # kept between callers, no headers the caller did not send.
        auto_decompress=False,
        cookie_jar=aiohttp.DummyCookieJar(),
        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        trust_env=False,
    )
    # aiohttp resends an idempotent request once, by itself, when a pooled connection breaks.
    # The proxy has its own rule (at most one retry, also for writes with an Idempotency-Key,
    # and only with a body it kept), so aiohttp's is turned off, as its own test client does:
    # two rules stacked would send a request three times.
    session._retry_connection = False
    return session


def open_upstreams(settings: GatewaySettings) -> dict[str, Upstream]:
    """One pool and one breaker per service, so a slow or failing service cannot use up the
    connections, or the patience, that the others get."""
    return {
        name: Upstream(
            name=name,
            base_url=url,
            session=_session(settings),
            breaker=CircuitBreaker(
                failure_threshold=settings.upstream_breaker_failures,
                cool_down_seconds=settings.upstream_breaker_cool_down_seconds,
            ),
            client_body_timeout_seconds=settings.client_body_timeout_seconds,
        )
        for name, url in settings.upstream_urls().items()
    }


async def close_upstreams(upstreams: dict[str, Upstream]) -> None:
    for upstream in upstreams.values():
        await upstream.session.close()


async def get_json(upstream: Upstream, path: str, timeout_seconds: float) -> tuple[int, Any]:
    """Status and JSON body of a GET to one service, within a timeout of its own.

    Raises aiohttp.ClientError or TimeoutError when the service cannot be reached in time, and
    ValueError when the body is not JSON.
    """
    # The id of the request that caused this call, so the service's log line joins the gateway's.
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    async with upstream.session.get(
        upstream.base_url + path,
        timeout=aiohttp.ClientTimeout(total=timeout_seconds),
        allow_redirects=False,
        headers={"X-Request-ID": request_id} if isinstance(request_id, str) else None,
    ) as response:
        # problem+json counts too: the body is read as JSON whatever the content type says.
        return response.status, await response.json(content_type=None)
