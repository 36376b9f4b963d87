"""The checked outbound client: no internet here, so a fake resolver answers the names and a fake
network stands a local server (127.0.0.1, no TLS) in for each public address it is asked to dial.
The client's own checks run unchanged in front of both."""

# ruff: noqa: ASYNC109 (httpcore's stream and backend interfaces take a timeout argument)

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpcore
import pytest

from chassis.outbound import (
    HostNotResolved,
    OutboundClient,
    OutboundFailed,
    OutboundPolicy,
    OutboundRefused,
    OutboundTimeout,
    ResponseTooLarge,
    check_url,
    refusal_for,
    refusal_for_url,
)

PUBLIC = "93.184.216.34"
OTHER_PUBLIC = "2606:2800:220:1::1"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.5", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104
        ("100.64.0.1", "non-public"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "private"),
        # IPv6 forms that carry an IPv4 address are judged by it.
        ("::ffff:192.168.1.1", "192.168.1.1, a private"),
        ("::7f00:1", "127.0.0.1, a loopback"),
        ("64:ff9b::7f00:1", "127.0.0.1, a loopback"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254, a link-local"),
        ("2002:7f00:1::1", "127.0.0.1, a loopback"),
        ("2002:a00:5::", "10.0.0.5, a private"),
        ("64:ff9b:1::5db8:d822", "local-use NAT64"),
        ("not-an-address", "not an IP address"),
    ],
)
def test_addresses_that_are_not_public_are_refused(address, kind):
    reason = refusal_for(address)
    assert reason is not None
    assert kind in reason


@pytest.mark.parametrize(
    "address",
    [PUBLIC, OTHER_PUBLIC, "64:ff9b::5db8:d822", "2002:5db8:d822::1", "::ffff:93.184.216.34"],
)
def test_public_addresses_are_allowed(address):
    assert refusal_for(address) is None


class FakeResolver:
    """Names to addresses; a list of answers is given out one per lookup (DNS rebinding)."""

    def __init__(self, names: dict[str, list[str] | list[list[str]]], *, delay: float = 0.0):
        self.names = names
        self.delay = delay
        self.asked: list[tuple[str, int]] = []

    async def addresses(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self.names.get(host)
        if not answer:
            raise HostNotResolved("NXDOMAIN")
        if isinstance(answer[0], list):
            turn = sum(1 for asked in self.asked if asked[0] == host) - 1
            return list(answer[min(turn, len(answer) - 1)])
        return [str(a) for a in answer]


class _Plain(httpcore.AsyncNetworkStream):
    """A real local connection that skips TLS (the fake internet has no certificates)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return self

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class FakeInternet(httpcore.AsyncNetworkBackend):
    """Dials a local server for each public address it knows; records what it was asked."""

    def __init__(self, servers: dict[str, int]) -> None:
        self.servers = servers
        self.dialled: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        self.dialled.append((host, port))
        if host not in self.servers:
            raise httpcore.ConnectError(f"no route to {host}")
        inner = await httpcore.AnyIOBackend().connect_tcp(
            "127.0.0.1", self.servers[host], timeout=timeout
        )
        return _Plain(inner)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def answering(status: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_head(reader)
        sent = {"Content-Length": str(len(body)), "X-Request-Line": head.split(b"\r\n")[0].decode()}
        lines = "".join(f"{k}: {v}\r\n" for k, v in (sent | (headers or {})).items())
        writer.write(f"HTTP/1.1 {status}\r\n{lines}\r\n".encode() + body)
        await writer.drain()
        writer.close()

    return handle


def chunked(total: int) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"x" * 65536
        for _ in range(total // len(piece)):
            writer.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    return handle


def trickling(every: float) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(1000):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(every)

    return handle


def stalling() -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_head(reader)
        await asyncio.sleep(30)

    return handle


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[int]]]:
    servers: list[asyncio.Server] = []
    writers: list[asyncio.StreamWriter] = []

    async def start(handler: Handler) -> int:
        async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.append(writer)
            try:
                await handler(reader, writer)
            finally:
                writer.close()

        server = await asyncio.start_server(tracked, "127.0.0.1", 0)
        servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    yield start
    # A stalling or trickling handler is still at work when its test ends: its connection is
    # closed here, not left for the garbage collector to find in some later test.
    for server in servers:
        server.close()
    for writer in writers:
        writer.close()
    await asyncio.sleep(0)


def _client(resolver: FakeResolver, internet: FakeInternet, **policy: Any) -> OutboundClient:
    return OutboundClient(OutboundPolicy(**policy), resolver=resolver, network=internet)


async def test_a_call_connects_to_the_checked_address_not_to_the_name_again(serve):
    port = await serve(answering("200 OK", b'{"ok": true}'))
    resolver = FakeResolver({"sushi.example": [PUBLIC]})
    internet = FakeInternet({PUBLIC: port})
    async with _client(resolver, internet) as client:
        answer = await client.get("https://sushi.example/r5/reports?x=1")
    assert answer.status_code == 200
    assert answer.json() == {"ok": True}
    assert answer.headers["X-Request-Line"] == "GET /r5/reports?x=1 HTTP/1.1"
    assert internet.dialled == [(PUBLIC, 443)]
    assert resolver.asked == [("sushi.example", 443)]


async def test_a_name_that_turns_private_after_registration_is_refused_at_connect_time(serve):
    port = await serve(answering("200 OK"))
    resolver = FakeResolver({"rebind.example": [[PUBLIC], ["127.0.0.1"]]})
    internet = FakeInternet({PUBLIC: port, "127.0.0.1": port})
    async with _client(resolver, internet) as client:
        await client.check("https://rebind.example/")
        with pytest.raises(
            OutboundRefused, match=re.escape("rebind.example: 127.0.0.1 is a loopback")
        ):
            await client.get("https://rebind.example/")
    assert internet.dialled == []


async def test_one_private_address_among_public_ones_refuses_the_name(serve):
    port = await serve(answering("200 OK"))
    resolver = FakeResolver({"mixed.example": [PUBLIC, "64:ff9b::a00:5"]})
    internet = FakeInternet({PUBLIC: port})
    async with _client(resolver, internet) as client:
        with pytest.raises(OutboundRefused, match=re.escape("10.0.0.5, a private")):
            await client.get("https://mixed.example/")
    assert internet.dialled == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://sushi.example/", "only https"),
        ("https://sushi.example:8443/", "port 8443 may not be called"),
        ("https://sushi.example:80/", "port 80 may not be called"),
        ("https://user:pw@sushi.example/", "user name or password"),
        ("https://[64:ff9b::7f00:1]/", "127.0.0.1, a loopback"),
        ("https://127.0.0.1/", "loopback"),
        ("ftp://sushi.example/", "only https"),
    ],
)
async def test_urls_refused_before_any_lookup_or_connection(url, reason):
    resolver = FakeResolver({"sushi.example": [PUBLIC]})
    internet = FakeInternet({})
    async with _client(resolver, internet) as client:
        with pytest.raises(OutboundRefused, match=reason):
            await client.get(url)
        with pytest.raises(OutboundRefused, match=reason):
            await client.check(url)
    assert internet.dialled == []
    assert resolver.asked == []


async def test_other_ports_only_when_configured(serve):
    port = await serve(answering("200 OK", b"r"))
    resolver = FakeResolver({"sushi.example": [PUBLIC]})
    internet = FakeInternet({PUBLIC: port})
    async with _client(resolver, internet, ports=frozenset({443, 8443})) as client:
        answer = await client.get("https://sushi.example:8443/")
    assert answer.content == b"r"
    assert internet.dialled == [(PUBLIC, 8443)]


async def test_redirects_are_checked_like_the_first_request(serve):
    inside = await serve(answering("200 OK", b"secret"))
    to_inside = await serve(
        answering("302 Found", headers={"Location": "https://metadata.example/"})
    )
    to_http = await serve(answering("301 Moved", headers={"Location": "http://sushi.example/"}))
    to_port = await serve(
        answering("307 Temporary", headers={"Location": "https://sushi.example:6379/"})
    )
    resolver = FakeResolver(
        {
            "a.example": ["93.184.216.1"],
            "b.example": ["93.184.216.2"],
            "c.example": ["93.184.216.3"],
            "metadata.example": ["169.254.169.254"],
        }
    )
    internet = FakeInternet(
        {
            "93.184.216.1": to_inside,
            "93.184.216.2": to_http,
            "93.184.216.3": to_port,
            "169.254.169.254": inside,
        }
    )
    async with _client(resolver, internet) as client:
        with pytest.raises(OutboundRefused, match="link-local"):
            await client.get("https://a.example/")
        with pytest.raises(OutboundRefused, match="only https"):
            await client.get("https://b.example/")
        with pytest.raises(OutboundRefused, match="port 6379"):
            await client.get("https://c.example/")
    assert ("169.254.169.254", 443) not in internet.dialled


async def test_redirects_are_answered_as_they_came_when_not_followed(serve):
    port = await serve(answering("302 Found", headers={"Location": "https://elsewhere.example/"}))
    resolver = FakeResolver({"a.example": [PUBLIC]})
    internet = FakeInternet({PUBLIC: port})
    async with _client(resolver, internet, max_redirects=0) as client:
        answer = await client.get("https://a.example/")
    assert answer.status_code == 302
    assert resolver.asked == [("a.example", 443)]


async def test_redirects_are_followed_to_a_public_host(serve):
    final = await serve(answering("200 OK", b"report"))
    first = await serve(answering("302 Found", headers={"Location": "https://b.example/r5"}))
    resolver = FakeResolver({"a.example": ["93.184.216.1"], "b.example": ["93.184.216.2"]})
    internet = FakeInternet({"93.184.216.1": first, "93.184.216.2": final})
    async with _client(resolver, internet) as client:
        answer = await client.get("https://a.example/")
    assert (answer.status_code, answer.content, answer.url) == (
        200,
        b"report",
        "https://b.example/r5",
    )


@pytest.mark.parametrize("declared", [True, False])
async def test_an_answer_past_the_size_cap_is_refused(serve, declared):
    handler = answering("200 OK", b"x" * 300_000) if declared else chunked(300_000)
    port = await serve(handler)
    resolver = FakeResolver({"big.example": [PUBLIC]})
    async with _client(
        resolver, FakeInternet({PUBLIC: port}), max_response_bytes=100_000
    ) as client:
        with pytest.raises(ResponseTooLarge):
            await client.get("https://big.example/")


async def test_a_stalled_answer_times_out(serve):
    port = await serve(stalling())
    resolver = FakeResolver({"slow.example": [PUBLIC]})
    async with _client(resolver, FakeInternet({PUBLIC: port}), read_timeout=0.3) as client:
        started = time.monotonic()
        with pytest.raises(OutboundTimeout):
            await client.get("https://slow.example/")
    assert time.monotonic() - started < 5


async def test_a_trickled_answer_meets_the_total_deadline(serve):
    port = await serve(trickling(0.05))
    resolver = FakeResolver({"drip.example": [PUBLIC]})
    policy = {"read_timeout": 1.0, "total_timeout": 0.5}
    async with _client(resolver, FakeInternet({PUBLIC: port}), **policy) as client:
        started = time.monotonic()
        with pytest.raises(OutboundTimeout, match=re.escape("within 0.5 s")):
            await client.get("https://drip.example/")
    assert time.monotonic() - started < 5


async def test_a_slow_name_lookup_is_bounded():
    resolver = FakeResolver({"slowdns.example": [PUBLIC]}, delay=5)
    async with _client(resolver, FakeInternet({}), resolve_timeout=0.2) as client:
        started = time.monotonic()
        with pytest.raises(OutboundFailed, match="does not resolve"):
            await client.get("https://slowdns.example/")
    assert time.monotonic() - started < 3


async def test_check_url_reports_a_name_without_addresses():
    with pytest.raises(HostNotResolved):
        await check_url("https://nowhere.example/", OutboundPolicy(), FakeResolver({}))


async def test_loopback_http_is_allowed_only_when_the_policy_says_so():
    """Tests only: a local server standing in for a vendor. Other non-public addresses stay
    refused with the flag; without it, http and loopback are refused."""
    local = "http://127.0.0.1:8080/reports"
    assert refusal_for_url(local, OutboundPolicy()) == "only https may be called"
    testing = OutboundPolicy(ports=frozenset({8080}), allow_loopback_http=True)
    assert refusal_for_url(local, testing) is None
    await check_url(local, testing, FakeResolver({}))
    with pytest.raises(OutboundRefused, match="private"):
        await check_url(
            "http://vendor.example:8080/", testing, FakeResolver({"vendor.example": ["10.0.0.5"]})
        )
    with pytest.raises(OutboundRefused, match="loopback"):
        await check_url(
            "https://vendor.example/", OutboundPolicy(), FakeResolver({"vendor.example": ["::1"]})
        )
