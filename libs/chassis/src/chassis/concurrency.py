"""Optimistic concurrency and conditional requests: a version per mutable row, exposed as ETag,
required back as If-Match, answered with 304 when If-None-Match names it."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from chassis import compression
from chassis.problems import PreconditionFailed, PreconditionRequired
from chassis.query import DocumentedHeader, reads_headers


def etag(version: int) -> str:
    return f'"{version}"'


class Versioned:
    """Mixin of every mutable table: a `version` column that SQLAlchemy uses as `version_id_col`
    (each UPDATE checks and bumps it, so a stale write fails instead of overwriting), and the
    ETag derived from it."""

    version: Mapped[int] = mapped_column(Integer)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]

    @property
    def etag(self) -> str:
        return etag(self.version)


class Tagged(Protocol):
    """A row with an ETag: a `Versioned` ORM instance, or a record read on the driver."""

    @property
    def etag(self) -> str: ...


class AlreadyExists(PreconditionFailed):
    slug = "already-exists"


def _tags(header: str) -> list[str]:
    """The tags of an If-None-Match list for the weak comparison (RFC 9110 §8.8.3.2): `W/` aside."""
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def _strong_tags(header: str) -> list[str]:
    """The tags of an If-Match list for the strong comparison (§13.1.1): a weak tag matches
    nothing, so it is left out."""
    return [t for t in (t.strip() for t in header.split(",")) if t and not t.startswith("W/")]


def _stale(row: Tagged) -> PreconditionFailed:
    return PreconditionFailed(
        f"The resource has changed; its current ETag is {row.etag}",
        headers={"ETag": row.etag},
    )


class IfMatch:
    """The If-Match header of a change (None when the client sent none)."""

    def __init__(self, value: str | None) -> None:
        self.value = value

    def require(self, row: Tagged) -> None:
        """428 without If-Match, 412 when it names another version than the row's current one."""
        if self.value is None:
            raise PreconditionRequired(
                "This change needs an If-Match header with the resource's current ETag"
            )
        tags = _strong_tags(self.value)
        if "*" not in tags and row.etag not in tags:
            raise _stale(row)

    def require_absent(self, what: str) -> None:
        """Creating where nothing exists yet: If-Match then fails (RFC 9110 §13.1.1)."""
        if self.value is not None:
            raise PreconditionFailed(f"If-Match was sent, but {what}")


class IfNoneMatch:
    """The If-None-Match header of a request (None when the client sent none)."""

    def __init__(self, value: str | None) -> None:
        self.value = value

    def matches(self, current: str) -> bool:
        return none_match(self.value, current)

    def require_not_star(self, row: Tagged, what: str) -> None:
        """`If-None-Match: *` asks to create only if nothing exists (RFC 9110 §13.1.2): 412 when
        `row` exists, which makes "create if absent" safe to retry."""
        if self.value is not None and self.value.strip() == "*":
            raise AlreadyExists(
                f"If-None-Match: * was sent, but {what}", headers={"ETag": row.etag}
            )


IF_MATCH = DocumentedHeader(
    "If-Match", "The resource's current ETag: required for a change (428 without, 412 when stale)"
)
IF_NONE_MATCH = DocumentedHeader(
    "If-None-Match",
    "ETag of a copy held: 304 when it is current (`*` on a creating PUT: only if absent)",
)


@reads_headers(IF_MATCH)
async def _if_match(request: Request) -> IfMatch:
    return IfMatch(request.headers.get("if-match"))


@reads_headers(IF_NONE_MATCH)
async def _if_none_match(request: Request) -> IfNoneMatch:
    return IfNoneMatch(request.headers.get("if-none-match"))


# Read from the request, declared for the contract on every operation that reads them.
IfMatchDep = Annotated[IfMatch, Depends(_if_match)]
IfNoneMatchDep = Annotated[IfNoneMatch, Depends(_if_none_match)]


def none_match(header: str | None, current: str) -> bool:
    """True when an If-None-Match value lets a GET be answered 304 Not Modified (RFC 9110
    §13.1.2: weak comparison, any listed tag or `*`). For pure-ASGI code that has the raw header."""
    if header is None:
        return False
    tags = _tags(header)
    return "*" in tags or current in tags


def matches_if_none_match(request: Request, current: str) -> bool:
    """True when a conditional GET may be answered 304 Not Modified."""
    return none_match(request.headers.get("if-none-match"), current)


def content_etag(body: bytes) -> str:
    """A strong ETag from the answer's own bytes (SHA-256, 128 bits kept): the same answer has
    the same tag on every replica. For answers no single row's version names: a published page,
    a file, a feed built from many rows."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def conditional_content(
    request: Request,
    body: bytes,
    *,
    media_type: str,
    headers: dict[str, str],
    body_headers: dict[str, str] | None = None,
    etag: str | None = None,
    compress: bool = False,
    gzipped: bytes | None = None,
) -> Response:
    """`body` with its content ETag, or 304 without a body when If-None-Match names it.
    `headers` (Cache-Control, Vary) go on both answers, so a revalidated copy keeps its rules;
    `body_headers` (Link, Content-Disposition) only with the body. `etag`: the body's
    content_etag when the caller keeps it with a cached body, so it is not hashed again.

    With `compress`, a client that accepts gzip gets the body gzipped (chassis.compression),
    under its own ETag; `gzipped` is that body already compressed, kept by a cache."""
    tag = etag or content_etag(body)
    common = dict(headers)
    coding: dict[str, str] = {}
    if gzipped is not None or (compress and len(body) >= compression.MIN_BYTES):
        vary = next((key for key in common if key.lower() == "vary"), "Vary")
        common[vary] = compression.vary_with_encoding(common.get(vary))
        if compression.accepts_gzip(request.headers.get("accept-encoding")):
            packed = gzipped if gzipped is not None else compression.gzip_body(body)
            if packed is not None:
                body, tag, coding = packed, compression.gzip_etag(tag), {"Content-Encoding": "gzip"}
    common["ETag"] = tag
    if matches_if_none_match(request, tag):
        return Response(status_code=304, headers=common)
    return Response(
        body, media_type=media_type, headers={**common, **coding, **(body_headers or {})}
    )


class RenderedJSON(JSONResponse):
    """JSON that pydantic has already written (in Rust, from the typed model), sent as is."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def tagged_json(
    view: BaseModel,
    row: Tagged,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A resource's view with the ETag of its row's version, which a later If-Match or
    If-None-Match names."""
    return RenderedJSON(
        view.__pydantic_serializer__.to_json(view),
        status_code=status_code,
        headers={"ETag": row.etag, **(headers or {})},
    )


def conditional_json(
    if_none_match: IfNoneMatch, view: BaseModel, row: Tagged, *, cache_control: str
) -> Response:
    """A read: 304 without a body when If-None-Match names the row's current version, else the
    view. Both answers carry the same Cache-Control, so a revalidated copy keeps its rules."""
    if if_none_match.matches(row.etag):
        return Response(status_code=304, headers={"ETag": row.etag, "Cache-Control": cache_control})
    return tagged_json(view, row, headers={"Cache-Control": cache_control})


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not Modified"}}
