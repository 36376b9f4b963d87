"""The platform's one outbound HTTP client: every call a service makes to an address a user gave
(a vendor's SUSHI endpoint, a partner's feed) goes through `OutboundClient`, so that no one can
point the platform at its own insides (SSRF).

What it holds, on every request and on every redirect hop:

- the URL: https only, a port among `OutboundPolicy.ports` (443 unless configured), no user
  name or password in it;
- every address the host resolves to, checked **when the connection is made** (`refusal_for`):
  private, loopback, link-local, multicast, reserved and unspecified addresses are refused, and
  an IPv6 address carrying an IPv4 one (mapped `::ffff:0:0/96`, compatible `::/96`, NAT64
  `64:ff9b::/96`, 6to4 `2002::/16`) is judged by the IPv4 address inside it; the local-use
  NAT64 prefix `64:ff9b:1::/48` is never public. The connection is then made to the checked
  address itself, never to the name again, so a name that resolves differently a moment later
  (DNS rebinding) gains nothing. TLS still verifies the certificate against the name.
- time: connect, read and write timeouts, a bound on the name lookup, and a total deadline for
  the whole call, redirects included;
- size: the answer is read into memory up to `max_response_bytes`, no further.

Registration-time checks (a product's SUSHI URL) use the same rules through `check_url`, which
resolves the host without connecting: a name may still resolve differently later, which is why
the client checks again at connect time.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class OutboundRefused(Exception):
    """The platform will not call this URL or address: `reason` says why, for the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OutboundFailed(Exception):
    """The call was allowed but did not give an answer: unreachable, too slow, too large."""


class OutboundTimeout(OutboundFailed):
    pass


class ResponseTooLarge(OutboundFailed):
    pass


class HostNotResolved(Exception):
    """The host has no address, or the lookup failed or took too long."""


class Resolver(Protocol):
    async def addresses(self, host: str, port: int) -> list[str]:
        """Every address `host` resolves to; HostNotResolved when there is none."""
        ...


@dataclass(frozen=True)
class OutboundPolicy:
    """What an outbound call may do; the defaults suit a machine-to-machine API such as SUSHI."""

    ports: frozenset[int] = frozenset({443})
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    write_timeout: float = 15.0
    resolve_timeout: float = 3.0
    # The whole call, redirects and reading the answer included.
    total_timeout: float = 60.0
    max_response_bytes: int = 16 * 1024 * 1024
    # 0: a redirect is answered to the caller as it came, not followed.
    max_redirects: int = 3
    max_connections: int = 10
    user_agent: str = "library-platform"
    headers: dict[str, str] = field(default_factory=dict)
    # Tests only (a local server standing in for a vendor): plain http, and loopback addresses,
    # may be called. Never set by default; every other check still holds.
    allow_loopback_http: bool = False


class SystemResolver:
    """The operating system's resolver (getaddrinfo in the event loop's executor), bounded in time."""

    def __init__(self, timeout: float = OutboundPolicy.resolve_timeout) -> None:
        self._timeout = timeout

    async def addresses(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), self._timeout
            )
        except (OSError, TimeoutError, UnicodeError) as exc:
            raise HostNotResolved(str(exc) or type(exc).__name__) from exc
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not found:
            raise HostNotResolved("no addresses")
        return found


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return None


# In order: the first that holds names the kind of address.
_KINDS: tuple[tuple[Callable[[IPAddress], bool], str], ...] = (
    (lambda ip: ip.is_unspecified, "an unspecified"),
    (lambda ip: ip.is_loopback, "a loopback"),
    (lambda ip: ip.is_link_local, "a link-local"),
    (lambda ip: ip.is_multicast, "a multicast"),
    (lambda ip: ip.is_private, "a private"),
    (lambda ip: isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "a site-local"),
    (lambda ip: ip.is_reserved or not ip.is_global, "a reserved or otherwise non-public"),
)


def _kind(ip: IPAddress) -> str | None:
    """What makes `ip` unreachable from the public internet, or None for a public address."""
    return next((label for holds, label in _KINDS if holds(ip)), None)


def refusal_for(address: str) -> str | None:
    """Why the platform must not connect to `address` (an IP address), or None if it may."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return f"{ip} is a local-use NAT64 address"
        inner = _embedded_ipv4(ip)
        if inner is not None and not ip.is_unspecified and not ip.is_loopback:
            kind = _kind(inner)
            return None if kind is None else f"{ip} carries {inner}, {kind} address"
    kind = _kind(ip)
    return None if kind is None else f"{ip} is {kind} address"


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def refusal_for_url(url: str | httpx.URL, policy: OutboundPolicy) -> str | None:
    """Why the URL itself is refused (scheme, port, credentials, host), before any lookup."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"it is not a URL ({exc})"
    if parsed.scheme != "https" and not (policy.allow_loopback_http and parsed.scheme == "http"):
        return "only https may be called"
    if parsed.userinfo:
        return "a URL may not carry a user name or password"
    if not parsed.host:
        return "the URL names no host"
    port = parsed.port or (80 if parsed.scheme == "http" else 443)
    if port not in policy.ports:
        allowed = ", ".join(str(p) for p in sorted(policy.ports))
        return f"port {port} may not be called (allowed: {allowed})"
    return None


async def checked_addresses(
    host: str, port: int, resolver: Resolver, *, allow_loopback: bool = False
) -> list[str]:
    """The addresses of `host`, all of them allowed; OutboundRefused naming the first that is not,
    HostNotResolved when there is none. `allow_loopback`: tests only (OutboundPolicy)."""
    literal = _literal(host)
    addresses = [literal] if literal is not None else await resolver.addresses(host, port)
    for address in addresses:
        if allow_loopback and _is_loopback(address):
            continue
        reason = refusal_for(address)
        if reason is not None:
            raise OutboundRefused(reason if literal is not None else f"{host}: {reason}")
    return addresses


async def check_url(url: str, policy: OutboundPolicy, resolver: Resolver) -> None:
    """The checks a call to `url` will meet, made now (registration time): OutboundRefused or
    HostNotResolved. No connection is made."""
    reason = refusal_for_url(url, policy)
    if reason is not None:
        raise OutboundRefused(reason)
    parsed = httpx.URL(url)
    await checked_addresses(
        parsed.host,
        parsed.port or (80 if parsed.scheme == "http" else 443),
        resolver,
        allow_loopback=policy.allow_loopback_http,
    )


class _CheckedNetwork(httpcore.AsyncNetworkBackend):
    """Connects only to checked addresses of the host, by address: the check and the connection
    see the same lookup."""

    def __init__(
        self, policy: OutboundPolicy, resolver: Resolver, inner: httpcore.AsyncNetworkBackend
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if port not in self._policy.ports:
            raise OutboundRefused(f"port {port} may not be called")
        try:
            async with asyncio.timeout(self._policy.resolve_timeout):
                addresses = await checked_addresses(
                    host, port, self._resolver, allow_loopback=self._policy.allow_loopback_http
                )
        except (HostNotResolved, TimeoutError) as exc:
            raise httpcore.ConnectError(f"{host} does not resolve ({exc})") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise OutboundRefused("unix sockets may not be called")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose connections go through `_CheckedNetwork`; every request,
    redirects included, has its URL checked first. No proxy from the environment: a proxy would
    resolve the name itself, past the checks."""

    def __init__(self, policy: OutboundPolicy, network: httpcore.AsyncNetworkBackend) -> None:
        super().__init__(trust_env=False)
        self._policy = policy
        # httpx builds its pool without a way to pass a network backend; this is the same pool
        # with ours (tests/test_outbound.py fails if the connections bypass it).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=policy.max_connections,
            max_keepalive_connections=policy.max_connections,
            keepalive_expiry=5.0,
            network_backend=network,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        reason = refusal_for_url(request.url, self._policy)
        if reason is not None:
            raise OutboundRefused(f"{request.url}: {reason}")
        return await super().handle_async_request(request)


@dataclass(frozen=True)
class OutboundResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str

    def json(self) -> typing.Any:
        return json.loads(self.content)


class OutboundClient:
    """Open once per process (a resource) and close with `aclose()`, or use `async with`.

    `network` replaces the sockets (tests: a fake network; no internet); `resolver` the DNS."""

    def __init__(
        self,
        policy: OutboundPolicy | None = None,
        *,
        resolver: Resolver | None = None,
        network: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy or OutboundPolicy()
        self.resolver = resolver or SystemResolver(self.policy.resolve_timeout)
        checked = _CheckedNetwork(self.policy, self.resolver, network or httpcore.AnyIOBackend())
        self._client = httpx.AsyncClient(
            transport=_CheckedTransport(self.policy, checked),
            timeout=httpx.Timeout(
                connect=self.policy.connect_timeout,
                read=self.policy.read_timeout,
                write=self.policy.write_timeout,
                pool=self.policy.connect_timeout,
            ),
            follow_redirects=self.policy.max_redirects > 0,
            max_redirects=self.policy.max_redirects,
            trust_env=False,
            headers={
                "User-Agent": self.policy.user_agent,
                # Asked for, so that the size cap bounds what is held in memory, not what a
                # small compressed answer expands to. A server that compresses anyway is still
                # decoded, piece by piece, under the same cap.
                "Accept-Encoding": "identity",
                **self.policy.headers,
            },
        )

    async def __aenter__(self) -> OutboundClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def check(self, url: str) -> None:
        """The checks a call to `url` meets, without calling it (see `check_url`)."""
        await check_url(url, self.policy, self.resolver)

    async def get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> OutboundResponse:
        return await self.request("GET", url, headers=headers, params=params)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> OutboundResponse:
        """The answer, read whole under the policy's caps. OutboundRefused when a check fails
        (on any hop), OutboundTimeout, ResponseTooLarge, or OutboundFailed otherwise."""
        reason = refusal_for_url(url, self.policy)
        if reason is not None:
            raise OutboundRefused(reason)
        try:
            async with asyncio.timeout(self.policy.total_timeout):
                return await self._read(
                    method, url, headers=headers, params=params, content=content
                )
        except TimeoutError as exc:
            raise OutboundTimeout(f"no whole answer within {self.policy.total_timeout} s") from exc
        except httpx.TimeoutException as exc:
            raise OutboundTimeout(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise OutboundFailed(f"{type(exc).__name__}: {exc}") from exc

    async def _read(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None,
        params: dict[str, str] | None,
        content: bytes | None,
    ) -> OutboundResponse:
        cap = self.policy.max_response_bytes
        async with self._client.stream(
            method, url, headers=headers, params=params, content=content
        ) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise ResponseTooLarge(f"the answer declares {declared} bytes, over {cap}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > cap:
                    raise ResponseTooLarge(f"the answer goes past {cap} bytes")
            return OutboundResponse(
                status_code=response.status_code,
                headers=response.headers,
                content=bytes(body),
                url=str(response.url),
            )
