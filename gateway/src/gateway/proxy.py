"""The reverse proxy: `/{service}/v1/...` checked at the edge and streamed to the service and back."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import aiohttp
import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from yarl import URL

from chassis.auth import AuthError, Principal, bearer_token
from chassis.middleware import (
    REQUEST_ID_HEADER,
    has_body,
    request_id_from,
    scope_header,
    scope_request_id,
)
from chassis.policy import auth_problem
from chassis.problems import ProblemError, render_problem
from gateway.breaker import retry_after_header
from gateway.edge import CALLER_ADDRESS, VERIFIED_AUTHORIZATION
from gateway.runtime import gateway_runtime
from gateway.settings import UPSTREAMS
from gateway.upstreams import Upstream

log = structlog.get_logger("gateway.proxy")

# RFC 9110 §7.6.1, plus the Proxy-Connection that old clients still send.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Replaced by the gateway's own values: the caller's Forwarded and X-Forwarded-* cannot be
# verified at the platform's edge; Host names the service; Expect is answered by the gateway's
# own server while it reads the body.
_REPLACED_IN_REQUEST = frozenset(
    {
        b"host",
        b"expect",
        b"forwarded",
        b"x-forwarded-for",
        b"x-forwarded-host",
        b"x-forwarded-proto",
        REQUEST_ID_HEADER,
    }
)
# The gateway's server adds its own Date, and the edge middleware the request id.
_REPLACED_IN_RESPONSE = frozenset({b"date", b"server", REQUEST_ID_HEADER})
# Worked out once: the names each direction drops before looking at Connection's own list.
_DROPPED_IN_REQUEST = HOP_BY_HOP | _REPLACED_IN_REQUEST
_DROPPED_IN_RESPONSE = HOP_BY_HOP | _REPLACED_IN_RESPONSE
# RFC 3986 pchar besides the unreserved characters that quote() always keeps.
_PATH_SAFE = "/!$&'()*+,;=:@"
_QUERY_SAFE = _PATH_SAFE + "?%"
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")

# RFC 9110 §9.2.2: sending these twice has the effect of sending them once. TRACE is idempotent
# too, but no service answers it.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
IDEMPOTENCY_KEY_HEADER = b"idempotency-key"
# A retry must send the same body again, and a body streamed to the service is gone once sent.
# So a retry-eligible body is read whole first when it announces a length up to this bound:
# the writes that may be retried (a PUT of a record, a POST with an Idempotency-Key) are small
# JSON documents, far below it. A larger body, or one without a length, is streamed as before
# and its request is not retried: keeping it would let any caller pin memory in the gateway.
REPLAYABLE_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class RouteTemplate:
    """Stands in for a route in the scope, so metrics and logs group the requests answered here
    (proxied ones by service, and the liveness probe) by template, as FastAPI's routes do."""

    path: str


# One per service, made once rather than per request.
_UPSTREAM_ROUTES = {name: RouteTemplate(f"/{name}/v1/{{path}}") for name in UPSTREAMS}
_PREFIXES = {name: f"/{name}".encode() for name in UPSTREAMS}

# The liveness probe, answered here: it is the one route a load balancer or kubelet calls every
# few seconds per replica, and the bench's G0. The answer is the one FastAPI's route gives (that
# route stays, for HEAD and other methods), without routing, dependency injection or JSON
# encoding; the edge layers around this one still give it a request id, its access line, its
# metrics, and the header, path and rate-limit checks.
LIVE_PATH = "/health/live"
_LIVE_ROUTE = RouteTemplate(LIVE_PATH)
_LIVE_BODY = b'{"status":"ok"}'
_LIVE_HEADERS = (
    (b"content-length", str(len(_LIVE_BODY)).encode()),
    (b"content-type", b"application/json"),
)


class ClientDisconnected(Exception):
    """The caller went away while its body was being passed on."""


class UpstreamProblem(ProblemError):
    """The service failed the exchange before the gateway sent a byte of its answer (502, 503
    or 504); counts against the service's breaker."""


class ResponseCutShort(Exception):
    """The service's answer broke after its status line was passed on. Raised out of the ASGI
    application, so the server closes the connection and the caller sees a truncated response;
    counts against the service's breaker."""


def may_retry(method: str, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a request may be sent to a service a second time: an idempotent method, or a
    write whose Idempotency-Key lets the service recognise the second copy."""
    if method in IDEMPOTENT_METHODS:
        return True
    return any(name.lower() == IDEMPOTENCY_KEY_HEADER and value.strip() for name, value in headers)


def retryable_failure(exc: BaseException) -> bool:
    """Whether a failed attempt left the service no answer to give: the connection was refused,
    or it closed or reset before a response head arrived (typically a pooled keep-alive
    connection that the service closed just as the request went out). Timeouts are not
    retried: the service may still be working on the request, and a second copy doubles the
    load on a service that is already slow."""
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return False
    return isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError)


def connection_tokens(value: bytes) -> set[bytes]:
    """Header names listed in one Connection value: hop-by-hop for this one connection (RFC 9110
    §7.6.1)."""
    return {token.strip().lower() for token in value.split(b",") if token.strip()}


def request_headers(
    headers: Iterable[tuple[bytes, bytes]],
) -> tuple[list[tuple[str, str]], str | None]:
    """The caller's headers that cross to the service, as the str pairs aiohttp sends, and the
    Host the caller named. One pass: this runs on every proxied request."""
    out: list[tuple[str, str]] = []
    host: str | None = None
    named: set[bytes] | None = None
    for raw_name, value in headers:
        name = raw_name.lower()
        if name in _DROPPED_IN_REQUEST:
            if name == b"host" and host is None:
                host = value.decode("latin-1")
            elif name == b"connection":
                named = connection_tokens(value) | (named or set())
            continue
        out.append((name.decode("latin-1"), value.decode("latin-1")))
    if named:
        # Rare (browsers and HTTP/1.1 clients send only keep-alive or close, dropped above).
        out = [(name, value) for name, value in out if name.encode("latin-1") not in named]
    return out, host


_LINK_TARGET = re.compile(rb"<(/(?!/)[^>]*)>")
_LOCATION_HEADERS = frozenset({b"location", b"content-location"})


def response_headers(
    headers: Iterable[tuple[bytes, bytes]], prefix: bytes
) -> list[tuple[bytes, bytes]]:
    """The service's headers that cross back, names lower-cased as ASGI wants them, in one pass.

    A service writes its links from its own root (`/v1/events?after=5`); at the gateway they
    live under the service's prefix (`/kpi/v1/events?after=5`), so absolute paths in Location,
    Content-Location and Link get it. Full URLs and relative references are left alone."""
    out: list[tuple[bytes, bytes]] = []
    named: set[bytes] | None = None
    for raw_name, value in headers:
        name = raw_name.lower()
        if name in _DROPPED_IN_RESPONSE:
            if name == b"connection":
                named = connection_tokens(value) | (named or set())
            continue
        if name in _LOCATION_HEADERS:
            if value.startswith(b"/") and not value.startswith(b"//"):
                value = prefix + value
        elif name == b"link":
            value = _LINK_TARGET.sub(lambda m: b"<" + prefix + m.group(1) + b">", value)
        out.append((name, value))
    if named:
        out = [(name, value) for name, value in out if name not in named]
    return out


def _forwarded_value(value: str) -> str:
    if _TOKEN.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=1024)
def forwarded(caller: str | None, proto: str, host: str | None) -> str:
    """The RFC 7239 Forwarded element for this hop; an IPv6 address is bracketed and quoted.

    `caller` is the address the edge settled on (the peer, or behind a trusted load balancer
    the client it names), not necessarily the peer. Cached: a few callers and hosts make most
    requests, and the answer depends on nothing else."""
    if caller is None:
        node = "unknown"
    elif ":" in caller:
        node = f"[{caller}]"
    else:
        node = caller
    element = f"for={_forwarded_value(node)};proto={_forwarded_value(proto)}"
    if host:
        element += f";host={_forwarded_value(host)}"
    return element


def split_prefix(path: str) -> tuple[str, str]:
    """`/kpi/v1/events` -> (`kpi`, `/v1/events`): the route prefix and the service's own path."""
    name, slash, rest = path[1:].partition("/")
    return name, slash + rest


class _RequestBody:
    """The caller's body, passed on chunk by chunk as it arrives; remembers why it stopped early."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.error: BaseException | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            try:
                message = await self._receive()
            except Exception as exc:  # e.g. the edge's size limit; re-raised by the proxy
                self.error = exc
                raise
            if message["type"] == "http.disconnect":
                self.error = ClientDisconnected()
                raise self.error
            if chunk := message.get("body", b""):
                yield chunk
            if not message.get("more_body", False):
                return

    async def whole(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])


def _declared_length(scope: Scope) -> int | None:
    """The body's Content-Length when the request has one and is not chunked."""
    if scope_header(scope, b"transfer-encoding") is not None:
        return None
    length = scope_header(scope, b"content-length")
    try:
        return int(length) if length is not None else None
    except ValueError:
        return None


class ProxyMiddleware:
    """Pure ASGI in front of the gateway's own routes: a request to a service's prefix never
    enters FastAPI, so passing it on costs as little as possible."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        name, service_path = split_prefix(path)
        if name not in UPSTREAMS:
            if path == LIVE_PATH and scope["method"] == "GET":
                scope["route"] = _LIVE_ROUTE
                await send(
                    {"type": "http.response.start", "status": 200, "headers": list(_LIVE_HEADERS)}
                )
                await send({"type": "http.response.body", "body": _LIVE_BODY})
                return
            await self.app(scope, receive, send)
            return
        scope["route"] = _UPSTREAM_ROUTES[name]
        structlog.contextvars.bind_contextvars(upstream=name)
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._proxy(scope, receive, send_tracking, name, service_path)
        except ProblemError as exc:
            if started:
                raise
            await render_problem(Request(scope), exc)(scope, receive, send)

    async def _proxy(
        self, scope: Scope, receive: Receive, send: Send, name: str, service_path: str
    ) -> None:
        # The path was checked by the edge (GatewayEdge, edge.unsafe_path), which every request
        # passes before it gets here. Only the services' APIs are public: their health, metrics
        # and contract are not.
        if service_path != "/v1" and not service_path.startswith("/v1/"):
            raise ProblemError(404, "not-found", f"No resource at {scope['path']}")
        runtime = gateway_runtime(scope["app"])
        authorization = scope_header(scope, b"authorization")
        if authorization is not None:
            outcome = _edge_verification(scope, authorization)
            if outcome is None:
                try:
                    outcome = await runtime.verifier.verify(
                        bearer_token(authorization.decode("latin-1"))
                    )
                except AuthError as exc:
                    outcome = exc
            if isinstance(outcome, AuthError):
                raise auth_problem(outcome) from outcome
        await self._call(scope, receive, send, runtime.upstreams[name], service_path)

    async def _call(
        self, scope: Scope, receive: Receive, send: Send, upstream: Upstream, service_path: str
    ) -> None:
        """One request to a service, through its breaker, sent at most twice."""
        retry_allowed = may_retry(scope["method"], scope["headers"])
        body = _RequestBody(receive) if has_body(scope) else None
        kept: bytes | None = None
        if body is not None:
            length = _declared_length(scope)
            if retry_allowed and length is not None and length <= REPLAYABLE_BODY_BYTES:
                kept = await _read_whole(body)
            else:
                retry_allowed = False
        wait = upstream.breaker.admit()
        if wait is not None:
            raise ProblemError(
                503,
                "upstream-unavailable",
                f"The {upstream.name} service is failing; the gateway stops calling it for a moment",
                headers={"Retry-After": retry_after_header(wait)},
            )
        try:
            await self._exchange(scope, send, upstream, service_path, body, kept, retry_allowed)
        except (UpstreamProblem, ResponseCutShort):
            upstream.breaker.failed()
            raise
        except BaseException:
            # The caller went away, or its body was refused: nothing learnt about the service.
            upstream.breaker.abandoned()
            raise
        upstream.breaker.succeeded()

    async def _exchange(
        self,
        scope: Scope,
        send: Send,
        upstream: Upstream,
        service_path: str,
        body: _RequestBody | None,
        kept: bytes | None,
        retry_allowed: bool,
    ) -> None:
        url = upstream.base_url + quote(service_path, safe=_PATH_SAFE)
        if query := scope.get("query_string", b""):
            # Passed on as sent; only bytes that may not appear in a URL at all get escaped.
            url += "?" + quote(bytes(query), safe=_QUERY_SAFE)
        outgoing_headers, host = request_headers(scope["headers"])
        request_id = scope_request_id(scope) or request_id_from(scope["headers"])
        outgoing_headers.append(("x-request-id", request_id))
        outgoing_headers.append(
            ("forwarded", forwarded(_caller(scope), scope.get("scheme", "http"), host))
        )
        timeout = upstream.session.timeout
        started = time.monotonic()
        attempt = 1
        while True:
            try:
                response = await upstream.session.request(
                    scope["method"],
                    URL(url, encoded=True),
                    headers=outgoing_headers,
                    data=kept if kept is not None else body.chunks() if body is not None else None,
                    allow_redirects=False,
                    timeout=timeout,
                )
                break
            except (aiohttp.ClientError, TimeoutError) as exc:
                if body is not None and body.error is not None:
                    if isinstance(body.error, ClientDisconnected):
                        raise _client_disconnected() from exc
                    raise body.error from exc
                if attempt == 1 and retry_allowed and retryable_failure(exc):
                    # The retry shares the first attempt's total timeout, so a request is never
                    # given more time than the setting says.
                    retry_timeout = _remaining(timeout, time.monotonic() - started)
                    if retry_timeout is not None:
                        log.info("upstream_retried", reason=f"{type(exc).__name__}: {exc}")
                        timeout, attempt = retry_timeout, 2
                        continue
                raise _upstream_problem(upstream, exc) from exc
        async with response:
            chunks = response.content.iter_any()
            # The status line waits for the first piece of the body (or its end): a service that
            # breaks right after its head then still gets a clean 502, not a cut response.
            try:
                first = await anext(chunks, b"")
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise _upstream_problem(upstream, exc) from exc
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": response_headers(response.raw_headers, _PREFIXES[upstream.name]),
                }
            )
            if response.content.at_eof():
                # The whole body came with the first piece (the common small answer): one
                # message instead of two, through every layer of middleware. at_eof() holds
                # only once the framing (Content-Length or the last chunk) says it is complete.
                await send({"type": "http.response.body", "body": first, "more_body": False})
                return
            if first:
                await send({"type": "http.response.body", "body": first, "more_body": True})
            try:
                async for chunk in chunks:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except (aiohttp.ClientError, TimeoutError) as exc:
                # The status line is already out: all that is left is to break the connection,
                # so the caller sees a cut response, never a complete-looking half body.
                reason = f"{type(exc).__name__}: {exc}"
                log.warning("upstream_broke_mid_response", reason=reason)
                raise ResponseCutShort(f"The {upstream.name} service broke off: {reason}") from exc
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def _edge_verification(scope: Scope, authorization: bytes) -> Principal | AuthError | None:
    """What the edge found when it verified this request's token for the rate limit (None when
    it did not: limits off, or not a proxied route), so the token is verified once per request."""
    verified = scope.get("state", {}).get(VERIFIED_AUTHORIZATION)
    if verified is None or verified[0] != authorization:
        return None
    outcome: Principal | AuthError = verified[1]
    return outcome


def _caller(scope: Scope) -> str | None:
    """The caller as the edge settled it (behind a trusted load balancer, the client that the
    balancer names, not the balancer), else the peer."""
    address = scope.get("state", {}).get(CALLER_ADDRESS)
    if isinstance(address, str):
        return address
    client = scope.get("client")
    return client[0] if client else None


async def _read_whole(body: _RequestBody) -> bytes:
    try:
        return await body.whole()
    except ClientDisconnected as exc:
        raise _client_disconnected() from exc


def _client_disconnected() -> ProblemError:
    # Nobody reads this answer; it only gives the access log a truthful status.
    return ProblemError(400, "client-disconnected", "The caller closed the request")


def _remaining(timeout: aiohttp.ClientTimeout, elapsed: float) -> aiohttp.ClientTimeout | None:
    """The timeouts of a second attempt: the same, with what is left of the total; None when
    nothing is left."""
    if timeout.total is None:
        return timeout
    if timeout.total - elapsed <= 0:
        return None
    return aiohttp.ClientTimeout(
        total=timeout.total - elapsed,
        connect=timeout.connect,
        sock_read=timeout.sock_read,
        sock_connect=timeout.sock_connect,
        ceil_threshold=timeout.ceil_threshold,
    )


def _upstream_problem(upstream: Upstream, exc: BaseException) -> UpstreamProblem:
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
