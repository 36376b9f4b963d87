"""The headers that cross the proxy each way: hop-by-hop ones dropped, links under the prefix.

The gateway sets its own Host, request id and Forwarded element in place of the caller's."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from chassis.middleware import REQUEST_ID_HEADER

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
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# End-to-end request headers that decide who is calling and what the answer is (what a cache
# varies on): a Connection list may not take them off the request on the way to a service. A
# caller sending `Connection: Accept-Language` would otherwise have the service answer another
# language than the one a shared cache files the answer under, or answer anonymously a request
# that carried a token.
_KEPT_IN_REQUEST = frozenset(
    {
        b"authorization",
        b"accept",
        b"accept-language",
        b"accept-encoding",
        b"content-type",
        b"content-length",
        b"if-match",
        b"if-none-match",
        b"idempotency-key",
        b"origin",
        b"cookie",
    }
)


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
        named -= _KEPT_IN_REQUEST
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
