"""The reverse proxy: `/{service}/v1/...` checked at the edge and streamed to the service and back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
import structlog
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from yarl import URL

from chassis.auth import AuthError, bearer_token
from chassis.middleware import (
    REQUEST_ID_HEADER,
    has_body,
    request_id_from,
    scope_header,
    scope_request_id,
)
from chassis.policy import auth_problem
from chassis.problems import ProblemError, render_problem
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
# RFC 3986 pchar besides the unreserved characters that quote() always keeps.
_PATH_SAFE = "/!$&'()*+,;=:@"
_QUERY_SAFE = _PATH_SAFE + "?%"
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
RETRY_AFTER_SECONDS = "5"


@dataclass(frozen=True)
class UpstreamRoute:
    """Stands in for a route in the scope, so metrics and logs group proxied requests by service."""

    path: str


class ClientDisconnected(Exception):
    """The caller went away while its body was being passed on."""


def connection_tokens(headers: Iterable[tuple[bytes, bytes]]) -> set[bytes]:
    """Header names listed in Connection: hop-by-hop for this one connection (RFC 9110 §7.6.1)."""
    return {
        token.strip().lower()
        for name, value in headers
        if name.lower() == b"connection"
        for token in value.split(b",")
        if token.strip()
    }


def end_to_end(
    headers: Iterable[tuple[bytes, bytes]], also_drop: frozenset[bytes]
) -> list[tuple[bytes, bytes]]:
    """The headers that may cross the proxy, names lower-cased as ASGI wants them."""
    pairs = [(name.lower(), value) for name, value in headers]
    drop = HOP_BY_HOP | also_drop | connection_tokens(pairs)
    return [(name, value) for name, value in pairs if name not in drop]


_LINK_TARGET = re.compile(rb"<(/(?!/)[^>]*)>")
_LOCATION_HEADERS = frozenset({b"location", b"content-location"})


def rebase(headers: list[tuple[bytes, bytes]], prefix: bytes) -> list[tuple[bytes, bytes]]:
    """A service writes its links from its own root (`/v1/events?after=5`); at the gateway they
    live under the service's prefix (`/kpi/v1/events?after=5`), so absolute paths in Location,
    Content-Location and Link get it. Full URLs and relative references are left alone."""
    out = []
    for name, value in headers:
        if name in _LOCATION_HEADERS and value.startswith(b"/") and not value.startswith(b"//"):
            value = prefix + value
        elif name == b"link":
            value = _LINK_TARGET.sub(lambda m: b"<" + prefix + m.group(1) + b">", value)
        out.append((name, value))
    return out


def _forwarded_value(value: str) -> str:
    if _TOKEN.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def forwarded(client: tuple[str, int] | None, proto: str, host: str | None) -> str:
    """The RFC 7239 Forwarded element for this hop; an IPv6 address is bracketed and quoted."""
    if client is None:
        node = "unknown"
    elif ":" in client[0]:
        node = f"[{client[0]}]"
    else:
        node = client[0]
    element = f"for={_forwarded_value(node)};proto={_forwarded_value(proto)}"
    if host:
        element += f";host={_forwarded_value(host)}"
    return element


def unsafe_path(path: str, raw_path: bytes | None) -> str | None:
    """Why a path may not be passed on, or None. The services route on the decoded path, so the
    decoded path is what must not climb, double a slash or hide a separator."""
    if raw_path is not None:
        lowered = raw_path.lower()
        if b"%2f" in lowered or b"%5c" in lowered:
            return "an encoded slash or backslash"
    if "\\" in path:
        return "a backslash"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return "a control character"
    if "//" in path:
        return "an empty segment (//)"
    if any(segment in (".", "..") for segment in path.split("/")):
        return "a dot segment (. or ..)"
    return None


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


class ProxyMiddleware:
    """Pure ASGI in front of the gateway's own routes: a request to a service's prefix never
    enters FastAPI, so passing it on costs as little as possible."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name, service_path = split_prefix(scope["path"])
        if name not in UPSTREAMS:
            await self.app(scope, receive, send)
            return
        scope["route"] = UpstreamRoute(path=f"/{name}/v1/{{path}}")
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
        raw_path = scope.get("raw_path")
        # Some ASGI servers (and test transports) put the query string into raw_path as well.
        raw = bytes(raw_path).split(b"?", 1)[0] if raw_path is not None else None
        reason = unsafe_path(scope["path"], raw)
        if reason is not None:
            raise ProblemError(400, "unsafe-path", f"The path contains {reason}")
        # Only the services' APIs are public: their health, metrics and contract are not.
        if service_path != "/v1" and not service_path.startswith("/v1/"):
            raise ProblemError(404, "not-found", f"No resource at {scope['path']}")
        runtime = gateway_runtime(scope["app"])
        authorization = scope_header(scope, b"authorization")
        if authorization is not None:
            try:
                await runtime.verifier.verify(bearer_token(authorization.decode("latin-1")))
            except AuthError as exc:
                raise auth_problem(exc) from exc
        await self._exchange(scope, receive, send, runtime.upstreams[name], service_path)

    async def _exchange(
        self, scope: Scope, receive: Receive, send: Send, upstream: Upstream, service_path: str
    ) -> None:
        url = upstream.base_url + quote(service_path, safe=_PATH_SAFE)
        if query := scope.get("query_string", b""):
            # Passed on as sent; only bytes that may not appear in a URL at all get escaped.
            url += "?" + quote(bytes(query), safe=_QUERY_SAFE)
        headers = end_to_end(scope["headers"], _REPLACED_IN_REQUEST)
        request_id = scope_request_id(scope) or request_id_from(scope["headers"])
        host = scope_header(scope, b"host")
        headers += [
            (REQUEST_ID_HEADER, request_id.encode()),
            (
                b"forwarded",
                forwarded(
                    scope.get("client"),
                    scope.get("scheme", "http"),
                    host.decode("latin-1") if host else None,
                ).encode("latin-1"),
            ),
        ]
        body = _RequestBody(receive) if has_body(scope) else None
        try:
            response = await upstream.session.request(
                scope["method"],
                URL(url, encoded=True),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
                data=body.chunks() if body is not None else None,
                allow_redirects=False,
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            if body is not None and body.error is not None:
                if isinstance(body.error, ClientDisconnected):
                    # Nobody reads this answer; it only gives the access log a truthful status.
                    raise ProblemError(
                        400, "client-disconnected", "The caller closed the request"
                    ) from exc
                raise body.error from exc
            raise _upstream_problem(upstream, exc) from exc
        async with response:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": rebase(
                        end_to_end(response.raw_headers, _REPLACED_IN_RESPONSE),
                        b"/" + upstream.name.encode(),
                    ),
                }
            )
            try:
                async for chunk in response.content.iter_any():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except (aiohttp.ClientError, TimeoutError) as exc:
                # The status line is already out: all that is left is to break the connection,
                # so the caller sees a cut response, never a complete-looking half body.
                log.warning("upstream_broke_mid_response", reason=f"{type(exc).__name__}: {exc}")
                raise
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def _upstream_problem(upstream: Upstream, exc: BaseException) -> ProblemError:
    name = upstream.name
    log.warning("upstream_failed", reason=f"{type(exc).__name__}: {exc}")
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return ProblemError(
            503,
            "upstream-unavailable",
            f"The {name} service is not reachable; try again shortly",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    if isinstance(exc, TimeoutError):
        return ProblemError(504, "upstream-timeout", f"The {name} service did not answer in time")
    return ProblemError(502, "upstream-broken", f"The {name} service sent a broken response")
