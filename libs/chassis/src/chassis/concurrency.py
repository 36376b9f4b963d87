"""Optimistic concurrency: a version per mutable row, exposed as ETag, required back as If-Match."""

from __future__ import annotations

from fastapi import Request

from chassis.problems import ProblemError


def etag(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def require_if_match(request: Request, current_version: int) -> None:
    """428 when the client sent no If-Match, 412 when it names another version than the current one."""
    header = request.headers.get("if-match")
    if header is None:
        raise ProblemError(
            428,
            "precondition-required",
            "This change needs an If-Match header with the resource's current ETag",
        )
    tags = _tags(header)
    if "*" in tags or etag(current_version) in tags:
        return
    raise ProblemError(
        412,
        "stale-version",
        f"The resource has changed; its current ETag is {etag(current_version)}",
        headers={"ETag": etag(current_version)},
    )


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
