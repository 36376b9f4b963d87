"""gzip for the answers people's browsers fetch: pages, scripts, stylesheets, downloads.

A body is compressed once, where it is cached, with a fixed header time (mtime 0), so every
replica sends the same bytes for the same content. The compressed answer is another
representation of the resource (RFC 9110, 8.4), so it has its own strong ETag, the body's with
`-gzip` inside the quotes, and every answer that could have been either one says
`Vary: Accept-Encoding`. Bodies under MIN_BYTES are sent as they are: the gzip header and the
client's work would cost more than the bytes saved.
"""

from __future__ import annotations

import gzip

MIN_BYTES = 1024
GZIP = "gzip"


def gzip_body(body: bytes) -> bytes | None:
    """`body` gzipped (level 6, mtime 0: the same bytes for the same body), or None when it is
    too small to be worth it or does not shrink."""
    if len(body) < MIN_BYTES:
        return None
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    return packed if len(packed) < len(body) else None


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header (RFC 9110, 12.5.3) lets the answer be gzipped: `gzip`
    (or its alias `x-gzip`) with a weight above 0, or `*` above 0 when gzip is not named."""
    if not accept_encoding:
        return False
    named: float | None = None
    anything: float | None = None
    for item in accept_encoding.split(","):
        coding, _, parameters = item.partition(";")
        coding = coding.strip().lower()
        weight = _weight(parameters)
        if coding in (GZIP, "x-gzip"):
            named = max(named or 0.0, weight)
        elif coding == "*":
            anything = weight
    if named is not None:
        return named > 0
    return anything is not None and anything > 0


def _weight(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0.0 <= weight <= 1.0 else 0.0
    return 1.0


def gzip_etag(etag: str) -> str:
    """The ETag of the gzipped representation of the body tagged `etag`: `"abc"` gives
    `"abc-gzip"`, `W/"abc"` gives `W/"abc-gzip"`."""
    if etag.endswith('"'):
        return f'{etag[:-1]}-{GZIP}"'
    return f"{etag}-{GZIP}"


def vary_with_encoding(vary: str | None) -> str:
    """A Vary header value that also names Accept-Encoding."""
    if not vary:
        return "Accept-Encoding"
    if any(name.strip().lower() == "accept-encoding" for name in vary.split(",")):
        return vary
    return f"{vary}, Accept-Encoding"
