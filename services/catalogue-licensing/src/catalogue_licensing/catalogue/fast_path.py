"""Repeat catalogue reads answered from the cache before FastAPI routes and parses them.

The catalogue is the platform's most-called read, and a warm answer is a lookup: measured with
py-spy, most of its time went to matching the route and validating its eight parameters. The
route itself records, for each request it answered, the request's raw signature (path, query
string, Accept-Language, day) with the cache key and language it resolved them to. A later request
with exactly that signature, no credentials, and a cache entry still valid for the generation
the cache trusts, is answered here with the same bytes and headers. Anything else (a first
request, a new cache buster, a token to verify, a stale generation) goes the normal way, so
validation, authorization and invalidation stay where they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from starlette.types import ASGIApp, Receive, Scope, Send

from catalogue_licensing.resources import CatalogueResources
from chassis.caching import CachedAnswer
from chassis.compression import GZIP, accepts_gzip, gzip_etag, vary_with_encoding
from chassis.concurrency import none_match
from chassis.runtime import resources_of

LIBRARY_PREFIX = "/v1/libraries/"
LIBRARY_SUFFIX = "/catalogue"
PRODUCTS_PATH = "/v1/catalogue/products"
# Browsers and shared caches may reuse an answer for a minute without asking; after that a
# revalidation costs a 304. A minute is short enough that a withdrawn product disappears from
# library websites within the time an editor takes to check, and long enough to absorb the
# bursts of a busy front page.
CACHE_CONTROL = "public, max-age=60"
VARY = "Accept-Language"


def is_catalogue_path(path: str) -> bool:
    return path == PRODUCTS_PATH or (
        path.startswith(LIBRARY_PREFIX) and path.endswith(LIBRARY_SUFFIX)
    )


def today_in(zone: ZoneInfo) -> date:
    return datetime.now(zone).date()


@dataclass(frozen=True)
class Representation:
    """What a catalogue answer sends: its bytes, the headers of a 200 or 304 (one definition for
    both paths), and the headers only a 200 carries."""

    body: bytes
    headers: dict[str, str]
    body_headers: dict[str, str]


def representation(
    answer: CachedAnswer, language: str, accept_encoding: str | None
) -> Representation:
    """The cached answer as this client takes it: gzipped when it accepts gzip (its own ETag)."""
    body, etag, body_headers = answer.body, answer.etag, {"Content-Type": "application/json"}
    vary = VARY
    if answer.gzipped is not None:
        vary = vary_with_encoding(VARY)
        if accepts_gzip(accept_encoding):
            body, etag = answer.gzipped, gzip_etag(answer.etag)
            body_headers["Content-Encoding"] = GZIP
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "Vary": vary,
        "Content-Language": language,
    }
    return Representation(body, headers, body_headers)


class CatalogueFastPath:
    """Pure-ASGI layer of the catalogue service (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not is_catalogue_path(scope["path"])
            or not await self._answered(scope, send)
        ):
            await self.app(scope, receive, send)

    async def _answered(self, scope: Scope, send: Send) -> bool:
        resources = resources_of(scope["app"], CatalogueResources)
        cache, signatures = resources.cache, resources.signatures
        accept_language: bytes | None = None
        accept_encoding: bytes | None = None
        if_none_match: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                # A token must be verified (and a bad one refused) even on a public read.
                return False
            if name == b"accept-language" and accept_language is None:
                # The first one, as the route reads it.
                accept_language = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"accept-encoding":
                accept_encoding = (
                    value if accept_encoding is None else accept_encoding + b"," + value
                )
        resolved = signatures.get(
            (scope["path"], scope["query_string"], accept_language, today_in(resources.zone))
        )
        if resolved is None or (if_none_match is not None and len(if_none_match) > 2000):
            # (An overlong If-None-Match is the route's to refuse.)
            return False
        generation = cache.trusted_generation()
        if generation is None:
            return False
        answer = cache.get(resolved.key, generation)
        if answer is None:
            return False
        signatures.hits += 1
        chosen = representation(
            answer,
            resolved.language,
            accept_encoding.decode("latin-1") if accept_encoding is not None else None,
        )
        headers = _raw(chosen.headers)
        if none_match(
            if_none_match.decode("latin-1") if if_none_match else None, chosen.headers["ETag"]
        ):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return True
        headers += _raw({**chosen.body_headers, "Content-Length": str(len(chosen.body))})
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": chosen.body})
        return True


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
