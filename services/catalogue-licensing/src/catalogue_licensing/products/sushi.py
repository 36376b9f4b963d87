"""SUSHI endpoints the platform will call: refused unless every address their host resolves to is
public, so a product cannot point the harvester at internal services (SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Protocol

from catalogue_licensing.products.errors import SushiUrlNotPublic, SushiUrlUnresolvable
from catalogue_licensing.products.schemas import sushi_host

RESOLVE_TIMEOUT_SECONDS = 3.0


class HostNotResolved(Exception):
    """The host has no address, or the lookup failed or took too long."""


class HostResolver(Protocol):
    async def addresses(self, host: str, port: int) -> list[str]:
        """Every address `host` resolves to; HostNotResolved when there is none."""
        ...


class SystemResolver:
    """The operating system's resolver (getaddrinfo in the event loop's executor), bounded in time."""

    def __init__(self, timeout: float = RESOLVE_TIMEOUT_SECONDS) -> None:
        self._timeout = timeout

    async def addresses(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), self._timeout
            )
        except (OSError, TimeoutError, UnicodeError) as exc:
            raise HostNotResolved(str(exc) or type(exc).__name__) from exc
        found = sorted({str(info[4][0]) for info in infos})
        if not found:
            raise HostNotResolved("no addresses")
        return found


async def host_resolver() -> HostResolver:
    """The resolver routes use; tests replace this dependency with a fake (no DNS, no traffic)."""
    return SystemResolver()


def non_global_reason(address: str) -> str | None:
    """Why a connection to `address` must not be made, or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return None
    if ip.is_loopback:
        kind = "a loopback"
    elif ip.is_link_local:
        kind = "a link-local"
    elif ip.is_private:
        kind = "a private"
    else:
        kind = "a non-public"
    return f"{ip} is {kind} address"


async def check_sushi_url(url: str, resolver: HostResolver) -> None:
    """422 naming procurement.sushi_url unless every address of its host is public.

    This guards registration; the harvester must check again when it connects, since a name may
    resolve differently later (DNS rebinding).
    """
    host, port = sushi_host(url)
    literal: str | None
    try:
        literal = str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await resolver.addresses(host, port)
        except HostNotResolved as exc:
            raise SushiUrlUnresolvable(
                "procurement.sushi_url", f"the host {host} does not resolve ({exc})"
            ) from exc
    for address in addresses:
        reason = non_global_reason(address)
        if reason is not None:
            raise SushiUrlNotPublic(
                "procurement.sushi_url",
                f"the host {host} resolves to {reason}; SUSHI endpoints must be public",
            )
