"""Bodies other than JSON, where a route declares them: the kit's edge refuses every body that
is not JSON (415) for the whole application. `accept_declared_media` keeps that answer for every
other route, and lets the named routes take their media type (CSV imports, COUNTER's TSV).

This belongs in the kit (a route's accepted media types, read by the edge); until it is there,
the service swaps the edge's check for this one when it builds its application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from chassis.middleware import EdgeMiddleware, has_body, scope_header, send_problem

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# (method, path) → the media types, besides JSON, its body may have.
Accepted = Mapping[tuple[str, str], frozenset[bytes]]


def _is_json(media: bytes) -> bool:
    return media == b"application/json" or media.endswith(b"+json")


class DeclaredMedia:
    """Refuse a body that is neither JSON nor a media type its route declares (as the edge
    would: 415 unsupported-media-type)."""

    def __init__(self, app: ASGIApp, *, accepted: Accepted) -> None:
        self.app = app
        # By path, whatever the method: a method the path does not have is the router's 405,
        # not a 415 for a body that path takes.
        by_path: dict[str, frozenset[bytes]] = {}
        for (_, path), media in accepted.items():
            by_path[path] = by_path.get(path, frozenset()) | media
        self.accepted = by_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _BODY_METHODS and has_body(scope):
            raw = scope_header(scope, b"content-type") or b""
            media = raw.split(b";")[0].strip().lower()
            declared = self.accepted.get(scope["path"], frozenset())
            if not _is_json(media) and media not in declared:
                allowed = ", ".join(["application/json", *sorted(m.decode() for m in declared)])
                await send_problem(
                    send,
                    415,
                    "unsupported-media-type",
                    "Unsupported Media Type",
                    f"The body must be one of: {allowed}",
                    scope["path"],
                )
                return
        await self.app(scope, receive, send)


def accept_declared_media(app: FastAPI, accepted: Accepted) -> FastAPI:
    """`app` (from build_app, not yet started) with the edge's JSON-only check replaced by
    `DeclaredMedia`, right inside the edge."""
    layers = app.user_middleware
    for index, layer in enumerate(layers):
        if cast(Any, layer.cls) is EdgeMiddleware:
            kwargs: dict[str, Any] = {**layer.kwargs, "json_only": False}
            layers[index] = Middleware(EdgeMiddleware, *layer.args, **kwargs)
            layers.insert(index + 1, Middleware(DeclaredMedia, accepted=accepted))
            return app
    raise RuntimeError("build_app added no edge layer: nothing to replace")
