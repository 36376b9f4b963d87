"""CORS at the gateway: which browser origins may read which answers, decided by the merged contract.

The rule (docs/decisions/0009): a GET or HEAD on an operation that the contract lets anyone call
(its `security` is empty or lists the empty requirement `{}`) may be read by any origin, without
credentials. Everything else only by the listed origins (GATEWAY_CORS_ORIGINS), which may send
credentials. Preflights are answered here and never reach a service.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import structlog

log = structlog.get_logger("gateway.cors")

Header = tuple[bytes, bytes]
PUBLIC_METHODS = frozenset({"GET", "HEAD"})
# The contract itself is public by nature: documentation sites elsewhere render it.
PUBLIC_DOCUMENTS = frozenset({"/openapi.json"})
# How often the merged contract is looked at again (the contract cache decides when it is
# fetched anew; looking is cheap while it is fresh).
RECHECK_SECONDS = 1.0

# What a browser script may read besides the CORS-safelisted response headers.
EXPOSED = (
    b"ETag, Link, Location, Content-Language, Retry-After, X-Request-ID, "
    b"RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
)
LISTED_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE"
_PUBLIC_METHODS_VALUE = b"GET, HEAD"
# Request headers a page may send: conditional reads for everyone; tokens and writes' headers
# for the listed origins only.
PUBLIC_HEADERS = b"Accept, Accept-Language, Content-Type, If-None-Match, Traceparent, X-Request-ID"
LISTED_HEADERS = PUBLIC_HEADERS + b", Authorization, Idempotency-Key, If-Match"
_PARAMETER = re.compile(r"\{[^/{}]+\}")


def is_public(operation: dict[str, Any]) -> bool:
    """Whether the contract lets anyone call an operation: no security requirement at all, or
    the empty one among the alternatives. An operation without `security` is not public: the
    services always declare it, so a missing one is a mistake to fail closed on."""
    security = operation.get("security")
    return isinstance(security, list) and (not security or {} in security)


def _template(path: str) -> str:
    """An OpenAPI path template as a regular expression: a parameter is one whole segment."""
    parts = _PARAMETER.split(path)
    return "[^/]+".join(re.escape(part) for part in parts)


class PublicReads:
    """The paths whose GET the merged contract lets anyone call.

    A concrete path wins over a template (OpenAPI's rule); among templates, one that is not
    public wins over one that is, so an ambiguous path is never opened by accident.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        literal: dict[str, bool] = dict.fromkeys(PUBLIC_DOCUMENTS, True)
        public: list[str] = []
        private: list[str] = []
        for path, item in document.get("paths", {}).items():
            if not isinstance(item, dict):
                continue
            get = item.get("get")
            open_read = isinstance(get, dict) and is_public(get)
            if _PARAMETER.search(path) is None:
                literal[path] = open_read
            else:
                (public if open_read else private).append(_template(path))
        self._literal = literal
        self._public = re.compile("|".join(public)) if public else None
        self._private = re.compile("|".join(private)) if private else None

    def __contains__(self, path: str) -> bool:
        found = self._literal.get(path)
        if found is not None:
            return found
        if self._public is None or self._public.fullmatch(path) is None:
            return False
        return self._private is None or self._private.fullmatch(path) is None


class CorsPolicy:
    """The origins that are listed, and the public reads as the current merged contract says."""

    def __init__(
        self,
        origins: Iterable[str],
        *,
        max_age_seconds: int,
        load_contract: Callable[[], Awaitable[dict[str, Any]]],
    ) -> None:
        self.origins = frozenset(origin.encode("ascii") for origin in origins)
        self.max_age = str(max_age_seconds).encode()
        self._load_contract = load_contract
        self._reads: PublicReads | None = None
        self._next_check = 0.0
        self._refresh_task: asyncio.Task[None] | None = None
        self._first_load = asyncio.Lock()

    async def public_reads(self, *, wait: bool) -> PublicReads | None:
        """The current public reads. While the contract has never been loaded, `wait` loads it
        now (a browser asks, the answer depends on it); otherwise a stale one is used while a
        fresher one loads in the background, so no request waits for the services' documents."""
        if self._reads is None:
            if not wait:
                self._refresh_in_background()
                return None
            async with self._first_load:
                if self._reads is None:
                    await self._refresh()
            return self._reads
        if time.monotonic() >= self._next_check:
            self._refresh_in_background()
        return self._reads

    def _refresh_in_background(self) -> None:
        if self._refresh_task is None or self._refresh_task.done():
            self._next_check = time.monotonic() + RECHECK_SECONDS
            self._refresh_task = asyncio.create_task(self._refresh())

    async def _refresh(self) -> None:
        self._next_check = time.monotonic() + RECHECK_SECONDS
        try:
            document = await self._load_contract()
        except Exception as exc:  # a failed look keeps the last known contract
            log.warning("cors_contract_unavailable", reason=f"{type(exc).__name__}: {exc}")
            return
        if self._reads is None or self._reads.document is not document:
            self._reads = PublicReads(document)

    async def close(self) -> None:
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh_task

    def response_headers(self, origin: bytes | None, public: bool) -> list[Header]:
        """CORS headers of an actual (not preflight) response."""
        if origin is not None and origin in self.origins:
            return [
                (b"access-control-allow-origin", origin),
                (b"access-control-allow-credentials", b"true"),
                (b"access-control-expose-headers", EXPOSED),
                (b"vary", b"Origin"),
            ]
        if public:
            # Also without an Origin: a shared cache may hand this answer to a browser later.
            # Vary, because a listed origin gets its own name back instead of the star.
            return [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-expose-headers", EXPOSED),
                (b"vary", b"Origin"),
            ]
        if origin is not None:
            return [(b"vary", b"Origin")]
        return []

    def preflight(
        self, origin: bytes, requested_method: bytes, public: bool
    ) -> list[Header] | None:
        """The headers of a preflight's 204, or None when this origin may not make that request."""
        if origin in self.origins:
            return [
                (b"access-control-allow-origin", origin),
                (b"access-control-allow-credentials", b"true"),
                (b"access-control-allow-methods", LISTED_METHODS),
                (b"access-control-allow-headers", LISTED_HEADERS),
                (b"access-control-max-age", self.max_age),
                (b"vary", b"Origin"),
            ]
        if public and requested_method.decode("latin-1") in PUBLIC_METHODS:
            return [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", _PUBLIC_METHODS_VALUE),
                (b"access-control-allow-headers", PUBLIC_HEADERS),
                (b"access-control-max-age", self.max_age),
                (b"vary", b"Origin"),
            ]
        return None
