"""Pure-ASGI edge of every service: request id, access log, metrics, body size and content type."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.problems import TYPE_PREFIX, problem_response

REQUEST_ID_HEADER = b"x-request-id"
_REQUEST_ID_SHAPE = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

access_log = structlog.get_logger("access")


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID when it is sane, else a new one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER and _REQUEST_ID_SHAPE.match(value):
            return value.decode()
    # 128 random bits as 32 hex digits, the shape uuid4().hex had, at a quarter of its cost
    # (no UUID object; version bits are of no use to anyone reading a log).
    return os.urandom(16).hex()


def scope_request_id(scope: Scope) -> str | None:
    """The request id EdgeMiddleware settled on for this request (also `request.state.request_id`),
    so code behind it (a proxy, an outbound call) passes on the same id it answers with."""
    value = scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


async def forward_request_id(request: httpx.Request) -> None:
    """httpx request hook: an outbound call carries the id of the request that caused it."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if isinstance(request_id, str) and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = request_id


def outbound_client(timeout: float = 5.0) -> httpx.AsyncClient:
    """The HTTP client a service uses for its own calls (JWKS, later webhooks and harvesting)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout), event_hooks={"request": [forward_request_id]}
    )


def scope_header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (name in lower case), read from the ASGI scope."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body (a non-zero Content-Length, or chunked)."""
    length = scope_header(scope, b"content-length")
    return (length is not None and length.strip() != b"0") or (
        scope_header(scope, b"transfer-encoding") is not None
    )


async def send_problem(
    send: Send, status: int, slug: str, title: str, detail: str, instance: str
) -> None:
    """A problem answered before the application runs (the request is refused at the edge)."""
    response = problem_response(
        None,
        status,
        type_=f"{TYPE_PREFIX}{slug}",
        title=title,
        detail=detail,
        headers={"Connection": "close"},
        extra={"instance": instance},
    )
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


class HttpMetrics:
    """Per-application Prometheus collectors (a registry per app keeps tests independent)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route template, method and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        # The labelled children by (method, route template, status): `labels()` validates and
        # looks them up under a lock on every call; this is one dict lookup per request. Bounded
        # as the metrics themselves are (routes are templates, methods and statuses few).
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """One request answered: counted, and its latency observed."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def _sender(
    send: Send, state: dict[str, Any], request_id: bytes, *, head: bool
) -> Callable[[Message], Awaitable[None]]:
    """`send` with the request id added to the answer, the status noted in `state`, the body
    left out for a HEAD, and nothing once the body was found too large (the 413 replaces it)."""

    async def send_with_id(message: Message) -> None:
        if state.get("too_large"):
            # The app's own answer to a truncated body is replaced by the 413.
            return
        if head and message["type"] == "http.response.body":
            message = {**message, "body": b""}
        if message["type"] == "http.response.start":
            state["status"] = message["status"]
            state["started"] = True
            message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id)]
        await send(message)

    return send_with_id


class EdgeMiddleware:
    """Binds the request id into the log context, answers oversized or non-JSON bodies early,
    and writes one access line and the metrics for every request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        metrics: HttpMetrics | None = None,
        json_only: bool = True,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        self.json_only = json_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        scope.setdefault("state", {})["request_id"] = request_id
        method: str = scope["method"]
        path: str = scope["path"]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id, method=method, path=path)
        state: dict[str, Any] = {"status": 500, "started": False}
        # HEAD is a GET without its body (RFC 9110 §9.3.2), wherever a GET answers: the app sees a
        # GET (FastAPI routes only the methods they declare), the body is dropped on the way out,
        # its headers (Content-Length, ETag) kept.
        head = method == "HEAD"
        app_scope = {**scope, "method": "GET"} if head else scope
        send_with_id = _sender(send, state, request_id.encode(), head=head)
        try:
            refusal = self._refusal(scope, method)
            if refusal is not None:
                await send_problem(send_with_id, *refusal, path)
                return
            received = 0

            async def counted_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes and not state["started"]:
                        state["too_large"] = True
                        return {"type": "http.disconnect"}
                return message

            try:
                await self.app(app_scope, counted_receive, send_with_id)
            except Exception:
                if not state.get("too_large"):
                    raise
            if state.get("too_large"):
                state["too_large"] = False
                await send_problem(send_with_id, *self._too_large(), path)
        finally:
            # The app's scope: the router put the matched route there.
            self._record_request(app_scope, method, state["status"], time.perf_counter() - started)
            structlog.contextvars.clear_contextvars()

    def _record_request(self, scope: Scope, method: str, status: int, elapsed: float) -> None:
        """The request's access line, and its count and latency under its route template."""
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        if self.metrics is not None:
            self.metrics.observe(method, template, status, elapsed)
        client = scope.get("client")
        access_log.info(
            "request",
            status=status,
            latency_ms=round(elapsed * 1000, 2),
            client=client[0] if client else None,
        )

    def _too_large(self) -> tuple[int, str, str, str]:
        return (
            413,
            "body-too-large",
            "Content Too Large",
            f"The body exceeds the limit of {self.max_body_bytes} bytes",
        )

    def _refusal(self, scope: Scope, method: str) -> tuple[int, str, str, str] | None:
        length = scope_header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return (400, "bad-content-length", "Bad Request", "Content-Length is not a number")
            if declared > self.max_body_bytes:
                return self._too_large()
        if self.json_only and method in _BODY_METHODS and has_body(scope):
            ctype = (scope_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
            if not (ctype == b"application/json" or ctype.endswith(b"+json")):
                return (
                    415,
                    "unsupported-media-type",
                    "Unsupported Media Type",
                    "The body must be JSON (Content-Type: application/json)",
                )
        return None
