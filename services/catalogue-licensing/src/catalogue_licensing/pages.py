"""One page of this service's lists: the key a cursor continues after, the row fetched past the
limit cut off, and the Link to the next page."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import Request, Response

from chassis.pagination import PageParams, decode_cursor, encode_cursor, link_next
from chassis.problems import ProblemError

Row = TypeVar("Row")


def id_after(page: PageParams) -> uuid.UUID | None:
    """The id a page of a list ordered by id continues after (None on the first page)."""
    if page.cursor is None:
        return None
    (raw,) = decode_cursor(page.cursor, arity=1)
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise ProblemError(400, "bad-cursor", "The cursor is not one this API issued") from exc


def cut_page(
    request: Request,
    response: Response,
    rows: Sequence[Row],
    *,
    page: PageParams,
    key: Callable[[Row], list[Any]],
) -> tuple[list[Row], str | None]:
    """The rows of this page and the cursor of the next one (None on the last page).

    The query asks for one row more than the page holds: that row's presence, not a count, says
    whether a next page exists. The next cursor is the key of the page's last row.
    """
    if len(rows) <= page.limit:
        return list(rows), None
    kept = list(rows[: page.limit])
    next_cursor = encode_cursor(key(kept[-1]))
    link_next(request, response, next_cursor)
    return kept, next_cursor
