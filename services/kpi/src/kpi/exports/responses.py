"""Answers whose ETag is their content's digest: the same figures, the same tag (a dataset's
table changes with its observations, not with the dataset's own version)."""

from __future__ import annotations

from fastapi import Request, Response

from chassis.concurrency import conditional_content

PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=60"


def content_response(
    request: Request,
    body: bytes,
    *,
    media_type: str,
    cache_control: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """`body`, or 304 when If-None-Match names its tag; both with ETag and Cache-Control;
    gzipped for a client that accepts it (a year of monthly figures is a large CSV)."""
    return conditional_content(
        request,
        body,
        media_type=media_type,
        headers={"Cache-Control": cache_control, "Vary": "Authorization"},
        body_headers=headers,
        compress=True,
    )


def cache_for(audience: str, status: str) -> str:
    """Shared caches may keep a published public dataset's outputs; nothing else (a draft an
    analyst previews, a partners' or internal dataset)."""
    return PUBLIC_CACHE if (audience, status) == ("public", "published") else PRIVATE_CACHE
