"""SUSHI endpoints the platform will call (kpi harvests them through the kit's checked outbound
client, `chassis.outbound`): refused at registration unless the URL and every address its host
resolves to pass that client's checks, so a product cannot point the harvester at internal
services (SSRF).

The lookup is an outbound call, so it runs before the request's transaction (issue 15, point 4):
`sushi_checks`, a dependency declared before the session's, reads the URL from the request body,
resolves it, and hands the service a verdict; the service applies it inside the transaction when
the URL is new or changed. SQLite's write lock is never held while a DNS server thinks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import TypeAdapter, ValidationError

from catalogue_licensing.products.errors import (
    SushiUrlNotAllowed,
    SushiUrlNotPublic,
    SushiUrlUnresolvable,
)
from catalogue_licensing.products.schemas import SushiUrl, sushi_host
from catalogue_licensing.settings import CatalogueSettings
from chassis.outbound import (
    HostNotResolved,
    OutboundPolicy,
    OutboundRefused,
    Resolver,
    SystemResolver,
    checked_addresses,
    refusal_for_url,
)
from chassis.problems import ProblemError
from chassis.runtime import get_runtime

FIELD = "procurement.sushi_url"
_SUSHI_URL: TypeAdapter[Any] = TypeAdapter(SushiUrl)


async def host_resolver() -> Resolver:
    """The resolver routes use; tests replace this dependency with a fake (no DNS, no traffic)."""
    return SystemResolver()


def sushi_policy(settings: CatalogueSettings) -> OutboundPolicy:
    """The outbound rules a SUSHI endpoint must meet: the ports the harvester may call."""
    return OutboundPolicy(ports=frozenset(settings.sushi_ports))


async def sushi_problem(
    url: str, policy: OutboundPolicy, resolver: Resolver
) -> ProblemError | None:
    """The 422 a SUSHI URL earns, or None when the harvester may call it (as of now)."""
    reason = refusal_for_url(url, policy)
    if reason is not None:
        return SushiUrlNotAllowed(FIELD, f"{reason} for a SUSHI endpoint")
    host, port = sushi_host(url)
    try:
        await checked_addresses(host, port, resolver)
    except HostNotResolved as exc:
        return SushiUrlUnresolvable(FIELD, f"the host {host} does not resolve ({exc})")
    except OutboundRefused as exc:
        return SushiUrlNotPublic(FIELD, f"{exc.reason}; SUSHI endpoints must be public")
    return None


@dataclass(frozen=True)
class SushiChecks:
    """What the lookups made before the transaction found, by SUSHI URL as validated."""

    found: dict[str, ProblemError | None]

    def require(self, url: str) -> None:
        """Raise the URL's problem, if it has one. A URL not checked before the transaction is a
        programming error: the check must never run inside it."""
        if url not in self.found:
            raise RuntimeError(f"the SUSHI URL {url} was not checked before the transaction")
        problem = self.found[url]
        if problem is not None:
            raise problem


NO_SUSHI_CHECKS = SushiChecks({})


def _sent_sushi_url(raw: bytes) -> str | None:
    """The body's procurement.sushi_url as the body model will validate it, or None when there is
    none or it is not valid (the body's validation then answers 422 by itself)."""
    try:
        body = json.loads(raw)
        sent = body["procurement"]["sushi_url"]
        return str(_SUSHI_URL.validate_python(sent)) if isinstance(sent, str) else None
    except (ValueError, TypeError, KeyError, ValidationError):
        return None


async def sushi_checks(
    request: Request, resolver: Annotated[Resolver, Depends(host_resolver)]
) -> SushiChecks:
    """Resolve and judge the body's SUSHI URL, before any transaction is opened: route parameters
    that take it come before SessionDep, IdempotencyDep and load-or-404 dependencies (FastAPI
    solves dependencies in their order). `authorize` has already run (router dependency)."""
    url = _sent_sushi_url(await request.body())
    if url is None:
        return NO_SUSHI_CHECKS
    settings = get_runtime(request).settings
    assert isinstance(settings, CatalogueSettings)
    return SushiChecks({url: await sushi_problem(url, sushi_policy(settings), resolver)})


SushiChecksDep = Annotated[SushiChecks, Depends(sushi_checks)]
