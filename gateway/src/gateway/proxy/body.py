"""The caller's request body: passed on chunk by chunk, or read whole when it may be sent twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.types import Receive, Scope

from chassis.middleware import scope_header
from chassis.problems import ProblemError


class ClientDisconnected(Exception):
    """The caller went away while its body was being passed on."""


class BodyStalled(ProblemError):
    """The caller stopped sending its body: its request times out (408), the service is not
    blamed, and its breaker learns nothing."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            "request-body-timeout",
            f"No part of the request body arrived for {seconds:g} s; send it again",
            headers={"Connection": "close"},
        )


class RequestBody:
    """The caller's body, passed on chunk by chunk as it arrives; remembers why it stopped early.

    `stall_seconds`: how long the caller may leave it without a new piece. Without a bound, a
    half-sent upload held the service's connection until the upstream timeout (60 s) and
    counted as the service's failure: six of them opened its breaker for everyone."""

    def __init__(self, receive: Receive, *, stall_seconds: float | None = None) -> None:
        self._receive = receive
        self._stall = stall_seconds
        self.error: BaseException | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            try:
                async with asyncio.timeout(self._stall):
                    message = await self._receive()
            except TimeoutError as exc:
                assert self._stall is not None
                self.error = BodyStalled(self._stall)
                raise self.error from exc
            except Exception as exc:  # e.g. the edge's size limit; re-raised by the proxy
                self.error = exc
                raise
            if message["type"] == "http.disconnect":
                self.error = ClientDisconnected()
                raise self.error
            if chunk := message.get("body", b""):
                yield chunk
            if not message.get("more_body", False):
                return

    async def whole(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])


def declared_length(scope: Scope) -> int | None:
    """The body's Content-Length when the request has one and is not chunked."""
    if scope_header(scope, b"transfer-encoding") is not None:
        return None
    length = scope_header(scope, b"content-length")
    try:
        return int(length) if length is not None else None
    except ValueError:
        return None


async def read_whole(body: RequestBody) -> bytes:
    try:
        return await body.whole()
    except ClientDisconnected as exc:
        raise client_disconnected() from exc


def client_disconnected() -> ProblemError:
    # Nobody reads this answer; it only gives the access log a truthful status.
    return ProblemError(400, "client-disconnected", "The caller closed the request")
