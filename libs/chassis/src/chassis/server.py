"""The HTTP/1.1 protocol every component serves with: uvicorn's httptools protocol, with its
request head bounded while it is read (issue 15, point 2; docs/decisions/0038).

uvicorn with httptools sets neither: httptools gathers a header's name and value in memory until
the line ends, whatever its length, and a connection whose head never ends is kept open for as
long as the peer likes (uvicorn's keep-alive timer stops at the first byte). Here:

- **A deadline for the head.** From a connection's opening, and from the first piece of each
  next request's head that does not end in the same read, the head must be complete within
  `head_timeout` seconds; otherwise 408 (or, for a connection that sent nothing, a plain close).
- **A size for the head, counted as it arrives.** Bytes read while a head is open are counted;
  past `max_head_bytes` the answer is 431 and nothing more is parsed. The read in which a head
  begins is not counted (it may end the previous request), so a connection holds at most the
  limit and two reads (asyncio reads up to 256 KiB at a time) before it is cut. The exact limit
  is the application's to enforce on the parsed headers (the gateway's edge does: 431).
- **A lingering close.** The refusal is sent, the sending side shut, and what the peer still
  sends is read and dropped for at most `LINGER_SECONDS` or `LINGER_BYTES` before closing: a
  close with unread data would reset the connection and could destroy the answer in flight.

The common request, whose head arrives in one read, costs two attribute tests and no timer.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chassis.problems import PROBLEM_JSON, TYPE_PREFIX

LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 1024 * 1024


def _refusal(status: int, slug: str, detail: str) -> bytes:
    body = json.dumps(
        {
            "type": f"{TYPE_PREFIX}{slug}",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        f"content-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Configured by subclassing (`bounded_protocol`): uvicorn instantiates the class itself."""

    max_head_bytes: ClassVar[int] = 32_768
    head_timeout: ClassVar[float] = 10.0

    _head_open: bool = True
    _head_began: bool = False
    _head_fresh: bool = False
    _head_bytes: int = 0
    _head_timer: asyncio.TimerHandle | None = None
    _lingering: int = -1

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = self._head_began = self._head_fresh = True
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._head_open = False
        if self._head_timer is not None:
            self._stop_head_timer()
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._lingering >= 0:
            self._linger(len(data))
            return
        super().data_received(data)
        if not self._head_open or self.transport.is_closing():
            return
        if self._head_fresh:
            self._head_fresh = False
        else:
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse(
                    431,
                    "headers-too-large",
                    f"The request's header block exceeds {self.max_head_bytes} bytes",
                )
                return
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def send_400_response(self, msg: str) -> None:
        """A request the parser cannot read (a malformed request line or URL, say) is answered
        as every other refusal is: problem+json, not uvicorn's plain text."""
        self._stop_head_timer()
        self.transport.write(_refusal(400, "malformed-request", msg))
        self.transport.close()

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._head_open:
            return
        if not self._head_began:
            # Nothing was sent: no request to answer.
            self.transport.close()
            return
        self._refuse(
            408,
            "request-timeout",
            f"The request's header block was not complete within {self.head_timeout:g} s",
        )

    def _refuse(self, status: int, slug: str, detail: str) -> None:
        self._stop_head_timer()
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head behind an answer still being sent: no room for another answer.
            self.transport.close()
            return
        self.transport.write(_refusal(status, slug, detail))
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self._lingering = 0
        self.loop.call_later(LINGER_SECONDS, self._end_linger)

    def _linger(self, size: int) -> None:
        self._lingering += size
        if self._lingering > LINGER_BYTES:
            self._end_linger()

    def _end_linger(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()


def bounded_protocol(*, max_head_bytes: int, head_timeout: float) -> type[BoundedHttpToolsProtocol]:
    """The protocol class for uvicorn's `http=`, with these limits."""
    attributes: dict[str, Any] = {"max_head_bytes": max_head_bytes, "head_timeout": head_timeout}
    return type("ConfiguredHttpToolsProtocol", (BoundedHttpToolsProtocol,), attributes)
