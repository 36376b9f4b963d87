"""A bearer token whose JOSE header names its algorithm strangely (not ASCII, not a string) is a
401 problem at the gateway, on proxied routes and its own, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from chassis.testing import with_header

from .test_proxy import bearer, token

ROUTES = [
    ("GET", "/kpi/v1/events"),
    ("GET", "/catalogue/v1/products"),
    ("GET", "/gateway/v1/clients"),
    ("POST", "/gateway/v1/clients"),
]


@pytest.mark.parametrize(
    "alg",
    ["RS256\u00e9", ["RS256"], 256, None],
    ids=["non-ascii", "list", "number", "null"],
)
async def test_a_strange_alg_is_401_on_proxied_and_own_routes(
    gateway_settings: Any, open_gateway: Any, gateway_key: Any, alg: object
) -> None:
    good = token(gateway_key[1], role="programme_admin")
    strange = with_header(good, alg=alg)
    async with open_gateway(gateway_settings()) as (http, _):
        answers = [
            (path, await http.request(method, path, json={}, headers=bearer(strange)))
            for method, path in ROUTES
        ]
        # The same token with its header intact is let through on each route.
        for method, path in ROUTES:
            accepted = await http.request(method, path, json={}, headers=bearer(good))
            assert accepted.status_code not in (401, 500), (path, accepted.text)
    for path, answer in answers:
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", path
        assert answer.json()["status"] == 401
        assert answer.headers["www-authenticate"].isascii()
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]
