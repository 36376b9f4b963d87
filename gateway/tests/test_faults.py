"""How the proxy meets a failing service: which requests it sends twice, how long it waits for a
connection, and how a service's breaker opens, fails fast and closes again."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
import pytest

from gateway.breaker import BreakerState, CircuitBreaker
from gateway.proxy.retries import REPLAYABLE_BODY_BYTES, may_retry, retryable_failure
from gateway.runtime import gateway_runtime

# ---------------------------------------------------------------- the rule, as a function


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
def test_idempotent_methods_may_be_retried(method: str) -> None:
    assert may_retry(method, [])


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_writes_may_be_retried_only_with_an_idempotency_key(method: str) -> None:
    assert not may_retry(method, [(b"content-type", b"application/json")])
    assert not may_retry(method, [(b"idempotency-key", b"  ")])
    assert may_retry(method, [(b"idempotency-key", b"order-7f3a")])
    assert may_retry(method, [(b"Idempotency-Key", b"order-7f3a")])


def test_only_failures_that_left_the_service_no_answer_are_retried() -> None:
    assert retryable_failure(aiohttp.ServerDisconnectedError())
    assert retryable_failure(aiohttp.ClientOSError(104, "Connection reset by peer"))
    # A timeout may mean the service is still working on the first copy.
    assert not retryable_failure(aiohttp.SocketTimeoutError("read timeout"))
    assert not retryable_failure(aiohttp.ConnectionTimeoutError("no free connection"))
    assert not retryable_failure(TimeoutError())
    # A malformed or cut answer is an answer: the service has acted.
    assert not retryable_failure(aiohttp.ClientPayloadError("cut"))
    assert not retryable_failure(aiohttp.ClientResponseError(None, (), status=400))  # type: ignore[arg-type]


# ---------------------------------------------------------------- the rule, over the wire


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedUpstream:
    """An HTTP/1.1 service whose answers follow a script, one entry per request to its API
    (`/v1/...`): "ok" answers 200 and keeps the connection, "drop" closes it without a byte of
    answer. After the script, every request is answered "ok". Records the API requests; any
    other path (the gateway reading a service's contract) is a plain 404, outside the script."""

    script: list[str]
    received: list[Received] = field(default_factory=list)

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {
                name.strip().lower(): value.strip()
                for name, value in (line.split(":", 1) for line in lines if line)
            }
            if not path.startswith("/v1/"):
                await _read_body(reader, headers)
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                continue
            received = Received(method, path, headers, b"")
            self.received.append(received)
            if (self.script.pop(0) if self.script else "ok") == "drop":
                return
            received.body = await _read_body(reader, headers)
            payload = json.dumps(
                {"attempt": len(self.received), "body_length": len(received.body)}
            ).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding") != "chunked":
        return b""
    body = b""
    while size := int((await reader.readline()).strip(), 16):
        body += await reader.readexactly(size)
        await reader.readline()
    await reader.readline()
    return body


@pytest.fixture
def scripted(raw_server: Any) -> Any:
    """`async with scripted("drop", "ok") as (upstream, url):` a ScriptedUpstream on loopback."""

    @asynccontextmanager
    async def start(*script: str) -> AsyncIterator[tuple[ScriptedUpstream, str]]:
        upstream = ScriptedUpstream(list(script))
        async with raw_server(upstream.handle) as url:
            yield upstream, url

    return start


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_an_idempotent_request_is_sent_again_once_when_the_connection_drops(
    gateway_settings: Any, open_gateway: Any, scripted: Any, method: str
) -> None:
    async with (
        scripted("drop") as (upstream, url),
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        response = await http.request(method, "/helpdesk/v1/tickets/7", content=b'{"a": 1}')
    assert response.status_code == 200, response.text
    assert [r.method for r in upstream.received] == [method, method]
    assert response.json() == {"attempt": 2, "body_length": 8}


async def test_a_post_without_an_idempotency_key_is_never_sent_twice(
    gateway_settings: Any, open_gateway: Any, scripted: Any
) -> None:
    async with (
        scripted("drop") as (upstream, url),
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        response = await http.post("/helpdesk/v1/tickets", json={"subject": "printer"})
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert len(upstream.received) == 1


async def test_a_post_with_an_idempotency_key_is_sent_again_with_the_same_body(
    gateway_settings: Any, open_gateway: Any, scripted: Any
) -> None:
    body = b'{"subject": "printer"}'
    async with (
        scripted("drop") as (upstream, url),
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        response = await http.post(
            "/helpdesk/v1/tickets",
            content=body,
            headers={"Idempotency-Key": "ticket-1", "Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    assert len(upstream.received) == 2
    assert upstream.received[1].body == body
    assert all(r.headers["idempotency-key"] == "ticket-1" for r in upstream.received)


async def test_a_request_is_retried_at_most_once(
    gateway_settings: Any, open_gateway: Any, scripted: Any
) -> None:
    async with (
        scripted("drop", "drop", "drop") as (upstream, url),
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        response = await http.get("/helpdesk/v1/tickets")
    assert response.status_code == 502
    assert len(upstream.received) == 2


async def test_a_pooled_connection_closed_by_the_service_is_replaced_for_the_request(
    gateway_settings: Any, open_gateway: Any, scripted: Any
) -> None:
    # The race that keep-alive makes: the service closes an idle connection just as the
    # gateway sends the next request on it.
    async with (
        scripted("ok", "drop") as (upstream, url),
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        first = await http.get("/helpdesk/v1/tickets/1")
        second = await http.put("/helpdesk/v1/tickets/1", json={"status": "closed"})
    assert first.status_code == 200
    assert second.status_code == 200, second.text
    assert [r.method for r in upstream.received] == ["GET", "PUT", "PUT"]


async def test_a_streamed_body_is_not_kept_so_its_request_is_not_retried(
    gateway_settings: Any, open_gateway: Any, scripted: Any
) -> None:
    async def chunked() -> AsyncIterator[bytes]:
        yield b'{"status": '
        yield b'"closed"}'

    async with (
        scripted("drop") as (upstream, url),
        open_gateway(gateway_settings(helpdesk_url=url)) as (http, _),
    ):
        response = await http.put("/helpdesk/v1/tickets/1", content=chunked())
    assert response.status_code == 502
    assert len(upstream.received) == 1


async def test_a_body_over_the_replay_bound_is_not_retried(
    gateway_settings: Any, open_gateway: Any, scripted: Any
) -> None:
    body = b"x" * (REPLAYABLE_BODY_BYTES + 1)
    async with scripted("drop", "drop") as (upstream, url):
        settings = gateway_settings(helpdesk_url=url, max_body_bytes=2 * REPLAYABLE_BODY_BYTES)
        async with open_gateway(settings) as (http, _):
            over = await http.put("/helpdesk/v1/attachments/1", content=body)
            at_the_bound = await http.put(
                "/helpdesk/v1/attachments/1", content=body[:REPLAYABLE_BODY_BYTES]
            )
    assert over.status_code == 502
    assert at_the_bound.status_code == 200
    # One attempt for the body over the bound; two (a drop, then the answer) for the one at it.
    assert len(upstream.received) == 3
    assert at_the_bound.json()["body_length"] == REPLAYABLE_BODY_BYTES


@dataclass
class SilentUpstream:
    """A service that reads API requests (`/v1/...`) and never answers them; any other path
    (the gateway reading a service's contract) is a plain 404."""

    api_requests: int = 0

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            if head.split(b" ", 2)[1].startswith(b"/v1/"):
                self.api_requests += 1
                await stop.wait()
                return
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()


async def test_a_timeout_is_not_retried(
    gateway_settings: Any, open_gateway: Any, raw_server: Any
) -> None:
    silent = SilentUpstream()
    async with raw_server(silent.handle) as url:
        settings = gateway_settings(helpdesk_url=url, upstream_read_timeout_seconds=0.2)
        async with open_gateway(settings) as (http, _):
            response = await http.get("/helpdesk/v1/tickets")
    assert response.status_code == 504
    assert silent.api_requests == 1


# ---------------------------------------------------------------- pool and breaker


async def test_waiting_for_a_pooled_connection_is_bounded_by_the_connect_timeout(
    gateway_settings: Any, open_gateway: Any, raw_server: Any
) -> None:
    silent = SilentUpstream()
    async with raw_server(silent.handle) as url:
        settings = gateway_settings(
            helpdesk_url=url,
            upstream_pool_size=1,
            upstream_connect_timeout_seconds=0.3,
            upstream_read_timeout_seconds=5,
        )
        async with open_gateway(settings) as (http, _):
            holder = asyncio.create_task(http.get("/helpdesk/v1/slow"))
            await asyncio.sleep(0.1)  # the one pooled connection is now taken
            started = time.perf_counter()
            queued = await http.get("/helpdesk/v1/tickets")
            waited = time.perf_counter() - started
            holder.cancel()
            with pytest.raises(asyncio.CancelledError):
                await holder
    assert queued.status_code == 503
    assert queued.headers["retry-after"]
    # Only the holder reached the service; the queued request never got a connection.
    assert silent.api_requests == 1
    assert 0.25 <= waited < 3


async def test_a_failing_service_opens_its_breaker_and_only_its_own(
    gateway_settings: Any, open_gateway: Any, dead_url: str
) -> None:
    settings = gateway_settings(
        helpdesk_url=dead_url,
        upstream_breaker_failures=2,
        upstream_breaker_cool_down_seconds=30,
        metrics_token="scrape-me",
    )
    async with open_gateway(settings) as (http, app):
        refused = [await http.get("/helpdesk/v1/tickets") for _ in range(2)]
        failing_fast = await http.get("/helpdesk/v1/tickets")
        other = await http.get("/kpi/v1/events")
        health = await http.get("/health")
        metrics = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        upstreams = gateway_runtime(app).upstreams
    for response in (*refused, failing_fast):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith(":upstream-unavailable")
    assert "not reachable" in refused[0].json()["detail"]
    assert "stops calling" in failing_fast.json()["detail"]
    assert 28 <= int(failing_fast.headers["retry-after"]) <= 30
    # The kpi service answers for itself (401 without a token): it was not cut off.
    assert other.status_code == 401
    assert upstreams["helpdesk"].breaker.state is BreakerState.OPEN
    assert upstreams["kpi"].breaker.state is BreakerState.CLOSED
    reports = health.json()["upstreams"]
    assert reports["helpdesk"]["breaker"] == "open"
    assert reports["kpi"]["breaker"] == "closed"
    assert 'gateway_upstream_breaker_state{state="open",upstream="helpdesk"} 1.0' in metrics.text


async def test_an_open_breaker_probes_after_the_cool_down_and_closes(
    gateway_settings: Any, open_gateway: Any, scripted: Any
) -> None:
    async with scripted("drop", "drop") as (upstream, url):
        settings = gateway_settings(helpdesk_url=url)
        async with open_gateway(settings) as (http, app):
            # The breaker reads a clock the test moves, so a slow machine cannot let the
            # cool-down pass between two requests meant to be back to back.
            now = [0.0]
            upstreams = gateway_runtime(app).upstreams
            upstreams["helpdesk"] = replace(
                upstreams["helpdesk"],
                breaker=CircuitBreaker(
                    failure_threshold=1, cool_down_seconds=5, clock=lambda: now[0]
                ),
            )
            broken = await http.get("/helpdesk/v1/tickets")
            now[0] += 4.9
            refused_at_once = await http.get("/helpdesk/v1/tickets")
            now[0] += 0.2
            probe = await http.get("/helpdesk/v1/tickets")
            state = upstreams["helpdesk"].breaker.state
    assert broken.status_code == 502
    assert refused_at_once.status_code == 503
    assert probe.status_code == 200
    assert state is BreakerState.CLOSED
    # Two attempts for the first request (the retry), none while open, one for the probe.
    assert len(upstream.received) == 3


async def test_a_stalled_upload_is_the_callers_timeout_not_the_services_failure(
    gateway_settings: Any, open_gateway: Any, echo_url: str
) -> None:
    # The echo upstream reads the whole body before it answers, as a service's write does.
    settings = gateway_settings(
        kpi_url=echo_url,
        upstream_breaker_failures=2,
        upstream_breaker_cool_down_seconds=30,
        client_body_timeout_seconds=0.2,
    )

    async def half_sent() -> AsyncIterator[bytes]:
        yield b'{"name":'
        await asyncio.sleep(5)
        yield b"never"

    async with open_gateway(settings) as (http, app):
        started = time.monotonic()
        stalled = [
            await http.post(
                "/kpi/v1/events",
                content=half_sent(),
                headers={"Content-Type": "application/json", "Content-Length": "1000"},
            )
            for _ in range(3)
        ]
        elapsed = time.monotonic() - started
        after = await http.post("/kpi/v1/things", json={"name": "whole"})
        breaker = gateway_runtime(app).upstreams["kpi"].breaker
    for response in stalled:
        assert response.status_code == 408, response.text
        assert response.json()["type"].endswith(":request-body-timeout")
    # Each answered after the 0.2 s the caller was given, not after the upstream's 60 s.
    assert elapsed < 3
    # Three stalls against a threshold of two, and the service is still everyone's.
    assert breaker.state is BreakerState.CLOSED
    assert after.status_code == 200, after.text
