"""How this service answers with one resource: its JSON with the ETag of its version, and 304 when
the caller's copy is still current."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chassis.concurrency import etag, matches_if_none_match


def tagged_json(
    view: BaseModel, version: int, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The resource's view, with the ETag a later If-Match or If-None-Match names."""
    return JSONResponse(
        view.model_dump(mode="json"),
        status_code=status_code,
        headers={"ETag": etag(version), **(headers or {})},
    )


def conditional_json(
    request: Request, view: BaseModel, version: int, *, cache_control: str
) -> Response:
    """A read: 304 without a body when If-None-Match names the current version, else the view.

    Both answers carry the same Cache-Control, so a revalidated copy keeps the rules it came with.
    """
    tag = etag(version)
    if matches_if_none_match(request, tag):
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": cache_control})
    return tagged_json(view, version, headers={"Cache-Control": cache_control})
