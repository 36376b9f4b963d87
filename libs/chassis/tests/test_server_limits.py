"""The HTTP server every component runs (`chassis.cli.serve_app`, uvicorn with httptools) bounds a
request's header block while reading it (issue 15, point 2): a head that stalls is answered 408
after `header_timeout_seconds`, and one that grows past `max_header_bytes` is answered 431 and
its connection closed before the parser buffers it. A real server in a child process on
127.0.0.1, its memory read from /proc."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chassis.cli import server_config
from chassis.server import BoundedHttpToolsProtocol
from chassis.settings import ServiceSettings

CHILD = """
import sys
from chassis.cli import serve_app
from chassis.settings import ServiceSettings

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})

serve_app(app, ServiceSettings(port=int(sys.argv[1]), header_timeout_seconds=1.0, max_header_bytes=16384))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[tuple[int, int]]:
    """(pid, port) of a server answering 200 to everything."""
    port = _free_port()
    child = subprocess.Popen(  # noqa: ASYNC220 (started once; waited for below without blocking)
        [sys.executable, "-c", CHILD, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise
                await asyncio.sleep(0.1)
                continue
            writer.close()
            break
        yield child.pid, port
    finally:
        child.terminate()
        await asyncio.to_thread(child.wait, 10)


async def _status_line(reader: asyncio.StreamReader) -> bytes:
    return (await reader.readline()).strip()


async def test_a_whole_request_is_answered(server):
    _pid, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n")
    assert await asyncio.wait_for(_status_line(reader), 5) == b"HTTP/1.1 200 OK"
    writer.close()


async def test_a_request_the_parser_cannot_read_is_a_problem(server):
    _pid, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /a b c HTTP/1.1\r\nHost: t\r\n\r\n")
    answer = await asyncio.wait_for(reader.read(), 5)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"application/problem+json" in answer
    writer.close()


async def test_a_stalled_header_block_is_answered_408_and_closed(server):
    _pid, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
    await writer.drain()
    started = time.monotonic()
    answer = await asyncio.wait_for(reader.read(), 10)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"application/problem+json" in answer
    assert b"connection: close" in answer.lower()
    assert time.monotonic() - started < 5
    writer.close()


async def test_a_connection_that_sends_nothing_is_closed(server):
    _pid, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()


async def test_a_trickled_header_block_meets_the_same_deadline(server):
    _pid, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n")
    started = time.monotonic()
    answer_read = asyncio.create_task(reader.read())
    with contextlib.suppress(ConnectionError):
        while not answer_read.done() and time.monotonic() - started < 5:
            writer.write(b"X-Drip: 1\r\n")
            await writer.drain()
            await asyncio.sleep(0.1)
    answer = await asyncio.wait_for(answer_read, 10)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 5
    writer.close()


async def _send_huge_head(port: int, megabytes: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nX-Huge: ")
    piece = b"h" * 65536
    answer_read = asyncio.create_task(reader.read())
    with contextlib.suppress(ConnectionError):
        for _ in range(megabytes * 16):
            if answer_read.done():
                break
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0)  # the answer's reader gets its turn, as a client reading would
    answer = await asyncio.wait_for(answer_read, 10)
    writer.close()
    return answer


async def test_huge_header_lines_are_refused_while_reading_and_memory_does_not_grow(server):
    pid, port = server
    before = _memory_kib(pid, "VmHWM")
    answers = await asyncio.gather(*(_send_huge_head(port, 16) for _ in range(4)))
    grown = _memory_kib(pid, "VmHWM") - before
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
    # 4 connections x 16 MiB were offered; each is cut after its limit and one read more.
    assert grown < 8 * 1024, f"the server grew by {grown} KiB"
    # And it still answers.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert await asyncio.wait_for(_status_line(reader), 5) == b"HTTP/1.1 200 OK"
    writer.close()


def test_the_server_is_configured_with_the_settings_limits():
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not called")

    settings = ServiceSettings(max_header_bytes=20_000, header_timeout_seconds=7.0)
    config = server_config(app, settings)
    config.load()
    protocol = config.http_protocol_class
    assert isinstance(protocol, type)
    assert issubclass(protocol, BoundedHttpToolsProtocol)
    assert (protocol.max_head_bytes, protocol.head_timeout) == (20_000, 7.0)
