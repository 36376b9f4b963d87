"""Cursor pagination: opaque cursors over a stable sort key, a bounded page size, the cut of one
page, Link headers."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote_plus, unquote_plus

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field
from pydantic_core import from_json, to_json

from chassis.concurrency import RenderedJSON
from chassis.problems import BadRequest, FieldError

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

T = TypeVar("T")
Row = TypeVar("Row")


class BadCursor(BadRequest):
    slug = "bad-cursor"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page"
    )


def encode_cursor(key: list[Any]) -> str:
    raw = to_json(key, fallback=str)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _bad_cursor(reason: str) -> BadCursor:
    return BadCursor(
        f"The cursor is not one this API issued: {reason}",
        errors=[FieldError(location="query.cursor", pointer="", message=reason, type="cursor")],
    )


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = from_json(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise _bad_cursor("it does not decode") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise _bad_cursor("it has the wrong shape")
    return key


class PageQuery(BaseModel):
    """A page's query parameters. A route takes it as `page: PageQueryDep`, or, with filters
    of its own, a subclass that adds them, as `page: Annotated[TheSubclass, Query()]`.

    One model, validated once, rather than parameters one by one: FastAPI handles each
    parameter and each dependency anew on every request, and for a small page that was a
    sixth of its cost (docs/decisions/0019)."""

    limit: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Page size, at most {MAX_PAGE_SIZE}"
    )
    cursor: str | None = Field(
        None, max_length=512, description="`next_cursor` of the previous page"
    )


PageQueryDep = Annotated[PageQuery, Query()]


def next_link(request: Request, **replaced: str | int) -> str:
    """`<path?query>; rel="next"`: this request's path and query with `replaced` set.

    From the ASGI scope's raw query, the other parameters kept as the client encoded them:
    Starlette's `request.url` builds and parses a whole URL, and decoding and re-encoding every
    pair costs more than the page's query (docs/decisions/0018, 0019)."""
    scope = request.scope
    raw = scope.get("query_string", b"").decode("latin-1")
    pairs = [pair for pair in raw.split("&") if pair and _pair_name(pair) not in replaced]
    pairs += [f"{quote_plus(name)}={quote_plus(str(value))}" for name, value in replaced.items()]
    return f'<{scope.get("root_path", "")}{scope["path"]}?{"&".join(pairs)}>; rel="next"'


def _pair_name(pair: str) -> str:
    name = pair.split("=", 1)[0]
    return unquote_plus(name) if "%" in name or "+" in name else name


def link_next(request: Request, response: Response, next_cursor: str | None) -> None:
    """Add `Link: <...>; rel="next"` pointing at the next page of this same query."""
    if next_cursor is None:
        return
    response.headers["Link"] = next_link(request, cursor=next_cursor)


def id_after(page: PageQuery) -> uuid.UUID | None:
    """The id a page of a list ordered by id continues after (None on the first page)."""
    if page.cursor is None:
        return None
    (raw,) = decode_cursor(page.cursor, arity=1)
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise BadCursor("The cursor is not one this API issued") from exc


def int_after(page: PageQuery) -> int | None:
    """The integer key (a sequence number) a page continues after (None on the first page)."""
    if page.cursor is None:
        return None
    (raw,) = decode_cursor(page.cursor, arity=1)
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise BadCursor("The cursor is not one this API issued")
    return raw


def page_json(
    request: Request,
    rows: Sequence[dict[str, Any]],
    *,
    page: PageQuery,
    key: Callable[[dict[str, Any]], list[Any]],
    item: type[BaseModel],
) -> Response:
    """A page of documents as the answer itself: the rows cut as `cut_page` does, checked
    against `Page[item]` and written by pydantic, with the Link of the next page.

    For routes that shape their rows as documents (statements on the driver): the route returns
    this and FastAPI neither walks the documents again nor validates them a second time against
    the response model (docs/decisions/0019); declare `response_model=Page[item]` all the same,
    for the contract."""
    items, next_cursor = _cut(rows, page=page, key=key)
    # Page[item] is pydantic's own cached parametrisation.
    model: type[BaseModel] = Page[item]  # type: ignore[valid-type]
    document = model.model_validate({"items": items, "next_cursor": next_cursor})
    headers = None if next_cursor is None else {"Link": next_link(request, cursor=next_cursor)}
    return RenderedJSON(document.__pydantic_serializer__.to_json(document), headers=headers)


def _cut(
    rows: Sequence[Row], *, page: PageQuery, key: Callable[[Row], list[Any]]
) -> tuple[list[Row], str | None]:
    if len(rows) <= page.limit:
        return list(rows), None
    kept = list(rows[: page.limit])
    return kept, encode_cursor(key(kept[-1]))


def cut_page(
    request: Request,
    response: Response,
    rows: Sequence[Row],
    *,
    page: PageQuery,
    key: Callable[[Row], list[Any]],
) -> tuple[list[Row], str | None]:
    """The rows of this page and the cursor of the next one (None on the last page).

    The query asks for one row more than the page holds (`page.limit + 1`): that row's presence,
    not a count, says whether a next page exists. The next cursor is the key of the page's last
    row, and the response gets its Link.
    """
    kept, next_cursor = _cut(rows, page=page, key=key)
    link_next(request, response, next_cursor)
    return kept, next_cursor
