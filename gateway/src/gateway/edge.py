"""The gateway's own edge checks, before routing: header size, Authorization, path, rate limit, CORS."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.auth import AuthError, bearer_token
from chassis.problems import TYPE_PREFIX, problem_response
from gateway.cors import PUBLIC_METHODS, CorsPolicy, Header
from gateway.ratelimit import Decision, seconds
from gateway.runtime import GatewayNotReady, GatewayRuntime, gateway_runtime
from gateway.settings import UPSTREAMS

log = structlog.get_logger("gateway.edge")

TOKEN_PATH = "/auth/token"  # noqa: S105 (a path, not a secret)
# What the edge worked out, left in the request's state (`scope["state"]`) for the proxy behind
# it, so neither is worked out twice: the caller's address (trusted proxies applied), for the
# Forwarded header; and the bearer token's verification, (the Authorization value, the
# Principal or the AuthError), when the rate limit needed it.
CALLER_ADDRESS = "gateway.caller_address"
VERIFIED_AUTHORIZATION = "gateway.verified_authorization"
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Decoded path: control characters (C0, DEL, C1), a backslash, U+FFFD (a percent-encoding that
# was not UTF-8), an empty segment, a dot segment, or a second layer of encoding of a dot,
# slash, backslash or NUL. One search on the hot path; the reason is worked out only on a hit.
_UNSAFE_DECODED = re.compile(
    r"[\x00-\x1f\x7f-\x9f\\\ufffd]|//|(?:^|/)\.\.?(?:/|$)|%(?:2e|2f|5c|00)", re.IGNORECASE
)
# Raw path: an encoded slash or backslash would become a separator only after decoding.
_UNSAFE_RAW = re.compile(rb"%(?:2f|5c)", re.IGNORECASE)


# The hits of _UNSAFE_DECODED that are one exact text, and what each is called in the answer.
_EXACT_REASONS = {
    "\\": "a backslash",
    "\ufffd": "a percent-encoding that is not UTF-8",
    "//": "an empty segment (//)",
}


def unsafe_path(path: str, raw_path: bytes | None) -> str | None:
    """Why a path may not enter the platform, or None.

    Services route on the percent-decoded path (Starlette's `scope["path"]`), decoding once. A
    path that passes here decodes to itself at the service: its segments are the ones the
    contract's templates are matched against, none climbs out, none hides a separator.
    """
    if not path.startswith("/"):
        return "no leading slash"
    if raw_path is not None and _UNSAFE_RAW.search(raw_path):
        return "an encoded slash or backslash"
    found = _UNSAFE_DECODED.search(path)
    return None if found is None else _unsafe_reason(found.group())


def _unsafe_reason(text: str) -> str:
    """What a hit of _UNSAFE_DECODED is, in the words of the 400's detail."""
    reason = _EXACT_REASONS.get(text)
    if reason is not None:
        return reason
    if text.startswith("%"):
        return "a double percent-encoding"
    if "." in text:
        return "a dot segment (. or ..)"
    return "a control character"


def parse_networks(values: Sequence[str]) -> tuple[IpNetwork, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def caller_address(
    client: tuple[str, int] | None,
    forwarded_for: bytes | None,
    trusted: tuple[IpNetwork, ...],
) -> str:
    """The caller's address: the peer, unless the peer is a trusted proxy (a load balancer in
    front of the replicas); then the nearest address in X-Forwarded-For that is not one."""
    peer = client[0] if client else "unknown"
    if not trusted or forwarded_for is None or not _is_trusted(peer, trusted):
        return peer
    for hop in reversed(forwarded_for.decode("latin-1").split(",")):
        hop = hop.strip()
        if not _is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                # Garbage where an address should be: the proxy did not write it, so the
                # request is limited as the proxy's, not under a name the caller chose.
                return peer
    return peer


def _is_trusted(address: str, trusted: tuple[IpNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def rate_limit_headers(decision: Decision) -> list[Header]:
    """draft-ietf-httpapi-ratelimit-headers (the -05 form: three fields, Reset in seconds)."""
    return [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(seconds(decision.reset_us)).encode()),
    ]


NOT_READY_RETRY_AFTER = b"5"
_Scanned = tuple[int, int, bytes | None, bytes | None, bytes | None, bytes | None]


def _scan(headers: list[tuple[bytes, bytes]]) -> _Scanned:
    """One pass over the headers for everything the edge needs: their size, how many
    Authorization headers and the last, Origin, X-Forwarded-For joined, and a preflight's method."""
    size = 0
    authorizations = 0
    authorization = origin = forwarded_for = preflight_method = None
    for name, value in headers:
        size += len(name) + len(value) + 4  # "name: value\r\n"
        if name == b"authorization":
            authorizations += 1
            authorization = value
        elif name == b"origin":
            origin = value
        elif name == b"x-forwarded-for":
            forwarded_for = value if forwarded_for is None else forwarded_for + b"," + value
        elif name == b"access-control-request-method":
            preflight_method = value
    return size, authorizations, authorization, origin, forwarded_for, preflight_method


async def refuse(
    send: Send,
    status: int,
    slug: str,
    detail: str,
    instance: str,
    headers: list[Header],
    *,
    close: bool = False,
) -> None:
    """A problem answered at the edge, with the CORS and RateLimit headers already worked out."""
    response = problem_response(
        None,
        status,
        type_=f"{TYPE_PREFIX}{slug}",
        detail=detail,
        headers={"Connection": "close"} if close else None,
        extra={"instance": instance},
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*response.raw_headers, *headers],
        }
    )
    await send({"type": "http.response.body", "body": response.body})


async def _answer_not_ready(send: Send, method: str, path: str, reason: str) -> None:
    """While the gateway waits for its database: alive (so it is not restarted), and 503 with
    the reason to everything else, its readiness included."""
    if path == "/health/live" and method in ("GET", "HEAD"):
        body = b'{"status":"ok"}'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
        return
    await refuse(
        send,
        503,
        "not-ready",
        f"The gateway is not ready: {reason}",
        path,
        [(b"retry-after", NOT_READY_RETRY_AFTER), (b"cache-control", b"no-store")],
    )


class GatewayEdge:
    """Pure ASGI, between the kit's EdgeMiddleware (request id, access log, body size) and the
    proxy: everything here is decided from the request line and headers, before any body is
    read or any service is asked."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_header_bytes: int,
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.trusted = parse_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        size, authorizations, authorization, origin, forwarded_for, preflight_method = _scan(
            scope["headers"]
        )
        if size > self.max_header_bytes:
            await refuse(
                send,
                431,
                "headers-too-large",
                f"The request's headers exceed the limit of {self.max_header_bytes} bytes",
                path,
                [],
                close=True,
            )
            return
        try:
            runtime = gateway_runtime(scope["app"])
        except GatewayNotReady as exc:
            await _answer_not_ready(send, method, path, exc.reason)
            return
        cors = runtime.cors
        reason = unsafe_path(path, _raw_path(scope))
        preflight = method == "OPTIONS" and origin is not None and preflight_method is not None
        public = False
        if reason is None and (preflight or method in PUBLIC_METHODS):
            # Only a browser's request waits for the contract's first load; others take what
            # is known (public reads then also carry the star for caches that keep them).
            reads = await cors.public_reads(wait=origin is not None)
            public = reads is not None and path in reads
        cors_headers = [] if preflight else cors.response_headers(origin, public)
        bad_request = _bad_request(authorizations, reason)
        if bad_request is not None:
            await refuse(send, 400, *bad_request, path, cors_headers)
            return
        address = caller_address(scope.get("client"), forwarded_for, self.trusted)
        state = scope.setdefault("state", {})
        state[CALLER_ADDRESS] = address
        decision = await self._rate_limit(runtime, state, path, address, authorization)
        if decision is not None and not decision.allowed:
            await _too_many_requests(send, decision, path, cors_headers)
            return
        if preflight and origin is not None and preflight_method is not None:
            await self._preflight(send, cors, origin, preflight_method, public, path)
            return
        await self.app(
            scope, receive, _adding_headers(send, _answer_headers(decision, cors_headers))
        )

    async def _rate_limit(
        self,
        runtime: GatewayRuntime,
        state: dict[str, Any],
        path: str,
        address: str,
        authorization: bytes | None,
    ) -> Decision | None:
        limiter = runtime.limiter
        if limiter is None:
            return None
        if path == TOKEN_PATH:
            return await limiter.token_request(address)
        client = None
        if authorization is not None and path[1:].partition("/")[0] in UPSTREAMS:
            # The proxy takes this outcome from the state instead of verifying again. A token
            # that does not verify counts against the address only, and the proxy answers it.
            try:
                principal = await runtime.verifier.verify(
                    bearer_token(authorization.decode("latin-1"))
                )
            except AuthError as exc:
                state[VERIFIED_AUTHORIZATION] = (authorization, exc)
            else:
                state[VERIFIED_AUTHORIZATION] = (authorization, principal)
                client = principal.client_id or principal.subject
        return await limiter.request(address, client)

    async def _preflight(
        self,
        send: Send,
        cors: CorsPolicy,
        origin: bytes,
        requested: bytes,
        public: bool,
        path: str,
    ) -> None:
        headers = cors.preflight(origin, requested, public)
        if headers is None:
            await refuse(
                send,
                403,
                "cors-refused",
                "This origin may not make this request from a browser; public reads are open to "
                "every origin, everything else to the origins the platform lists",
                path,
                [(b"vary", b"Origin")],
            )
            return
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _bad_request(authorizations: int, unsafe: str | None) -> tuple[str, str] | None:
    """The problem type and detail of a 400 the request line and headers already deserve."""
    if authorizations > 1:
        return "malformed-authorization", "The request has more than one Authorization header"
    if unsafe is not None:
        return "unsafe-path", f"The path contains {unsafe}"
    return None


async def _too_many_requests(
    send: Send, decision: Decision, path: str, cors_headers: list[Header]
) -> None:
    """The 429 of a request over its limit, saying when to come back."""
    await refuse(
        send,
        429,
        "rate-limited",
        "Too many requests; try again after the number of seconds in Retry-After",
        path,
        [
            (b"retry-after", str(max(1, seconds(decision.retry_us))).encode()),
            *rate_limit_headers(decision),
            *cors_headers,
        ],
    )


def _answer_headers(decision: Decision | None, cors_headers: list[Header]) -> list[Header]:
    """What the edge adds to a service's answer: the RateLimit fields when a limit applied, then
    the CORS ones."""
    return cors_headers if decision is None else rate_limit_headers(decision) + cors_headers


def _adding_headers(send: Send, extra: list[Header]) -> Send:
    """`send`, adding `extra` to the response's head; `send` itself when there is nothing to add
    (no wrapper for the request that needs none)."""
    if not extra:
        return send

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *extra]
        await send(message)

    return send_with_headers


def _raw_path(scope: Scope) -> bytes | None:
    raw = scope.get("raw_path")
    if raw is None:
        return None
    # Some ASGI servers (and test transports) put the query string into raw_path as well.
    return bytes(raw).split(b"?", 1)[0]
