"""Dependencies of SUSHI routes: the URL judged before any transaction (a DNS lookup never holds
SQLite's write lock), as the catalogue judges its products' SUSHI URLs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chassis.outbound import Resolver, SystemResolver
from chassis.runtime import get_runtime
from kpi.settings import KpiSettings
from kpi.sushi.client import sushi_policy, url_problem
from kpi.sushi.schemas import SushiEndpointIn


async def host_resolver() -> Resolver:
    """The resolver routes use; tests replace this dependency with a fake (no DNS, no traffic)."""
    return SystemResolver()


async def checked_endpoint(
    request: Request, body: SushiEndpointIn, resolver: Annotated[Resolver, Depends(host_resolver)]
) -> SushiEndpointIn:
    """The body, its base URL allowed (else the 422 naming why)."""
    settings = get_runtime(request).settings
    assert isinstance(settings, KpiSettings)
    problem = await url_problem(body.base_url, sushi_policy(settings), resolver)
    if problem is not None:
        raise problem
    return body


CheckedEndpointDep = Annotated[SushiEndpointIn, Depends(checked_endpoint)]
