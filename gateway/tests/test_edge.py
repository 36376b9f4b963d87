"""The gateway's edge, request by request: rate limits and their headers, CORS, header size,
Authorization and paths; first in front of a stand-in app, then in the whole gateway."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from chassis.auth import TokenVerifier
from chassis.settings import AuthSettings
from chassis.testing import TestIssuer
from gateway.cors import CorsPolicy
from gateway.edge import GatewayEdge, caller_address, parse_networks
from gateway.ratelimit import MemoryBuckets, Quota, RateLimiter, RateLimitMetrics, RateLimitQuotas
from gateway.runtime import GatewayRuntime, GatewayStart

LISTED = "https://bibliotek.example"
ELSEWHERE = "https://anyone.example"
PUBLIC_CATALOGUE = "/catalogue/v1/libraries/NO-0030100/catalogue"
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
OPEN: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]
# The shapes the merged contract gives operations (chassis.openapi, gateway.contract).
CONTRACT: dict[str, Any] = {
    "paths": {
        "/catalogue/v1/libraries/{isil}/catalogue": {"get": {"security": OPEN}},
        # A concrete path wins over the public template above.
        "/catalogue/v1/libraries/mine/catalogue": {"get": {"security": BEARER}},
        "/catalogue/v1/products": {"get": {"security": OPEN}, "post": {"security": BEARER}},
        "/catalogue/v1/products/{product_id}": {"get": {"security": BEARER}},
        "/kpi/v1/events": {"get": {"security": BEARER}},
        "/.well-known/jwks.json": {"get": {"security": []}},
        "/auth/token": {"post": {"security": [{"clientBasic": []}, {}]}},
    }
}
ROOMY = Quota(per_second=0.001, burst=1000)


class Upstream:
    """Stands for everything behind the edge: answers 200 and counts what reached it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls.append(f"{scope['method']} {scope['path']}")
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"etag", b'"1"')],
            }
        )
        await send({"type": "http.response.body", "body": b"{}"})


@asynccontextmanager
async def edge(
    *,
    address: Quota = ROOMY,
    client: Quota = ROOMY,
    token: Quota = ROOMY,
    limits: bool = True,
    trusted_proxies: tuple[str, ...] = (),
    max_header_bytes: int = 16_384,
    peer: str = "192.0.2.10",
) -> AsyncIterator[tuple[httpx.AsyncClient, Upstream, TestIssuer]]:
    """The edge in front of a stand-in app, with what it reads from the runtime: the contract
    above, in-memory buckets, a verifier trusting a test issuer."""
    issuer = TestIssuer()
    verifier = TokenVerifier(AuthSettings(jwks_json=SecretStr(json.dumps(issuer.jwks))))

    async def load_contract() -> dict[str, Any]:
        return CONTRACT

    cors = CorsPolicy([LISTED], max_age_seconds=600, load_contract=load_contract)
    limiter = RateLimiter(
        MemoryBuckets(),
        RateLimitQuotas(client=client, address=address, token=token),
        RateLimitMetrics(CollectorRegistry()),
    )
    # Only the parts the edge reads: the rest of the gateway is not started here.
    resources = GatewayRuntime(
        settings=None,  # type: ignore[arg-type]
        db=None,  # type: ignore[arg-type]
        keys=None,  # type: ignore[arg-type]
        verifier=verifier,
        secrets=None,  # type: ignore[arg-type]
        upstreams={},
        contracts=None,  # type: ignore[arg-type]
        limiter=limiter if limits else None,
        cors=cors,
    )
    started = GatewayStart(runtime=resources)
    holder = SimpleNamespace(state=SimpleNamespace(runtime=SimpleNamespace(resources=started)))
    upstream = Upstream()
    guarded = GatewayEdge(
        upstream, max_header_bytes=max_header_bytes, trusted_proxies=trusted_proxies
    )

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope["app"] = holder  # what Starlette sets for the middleware of a real app
        await guarded(scope, receive, send)

    transport = httpx.ASGITransport(app=app, client=(peer, 51000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield http, upstream, issuer
    finally:
        await cors.close()


def preflight(origin: str, method: str, headers: str | None = None) -> dict[str, str]:
    out = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        out["Access-Control-Request-Headers"] = headers
    return out


def basic(client_id: str) -> dict[str, str]:
    value = base64.b64encode(f"{client_id}:a-guess".encode()).decode()
    return {"Authorization": f"Basic {value}"}


# ---------------------------------------------------------------- rate limits


async def test_the_burst_is_allowed_then_429_with_the_headers() -> None:
    async with edge(address=Quota(per_second=0.01, burst=3)) as (http, upstream, _):
        answers = [await http.get("/kpi/v1/events") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert all(a.headers["ratelimit-limit"] == "3" for a in answers)
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith(":rate-limited")
    assert refused.json()["instance"] == "/kpi/v1/events"
    assert refused.headers["retry-after"] == "100"  # one request per 100 s
    assert refused.headers["ratelimit-reset"] == "300"  # the bucket is full in three
    assert len(upstream.calls) == 3


async def test_a_client_is_limited_wherever_it_calls_from() -> None:
    tight = Quota(per_second=0.01, burst=2)
    async with edge(client=tight) as (http, _, issuer):
        first = issuer.headers("analyst", client_id="library-a")
        second = issuer.headers("analyst", client_id="library-a")
        other = issuer.headers("analyst", client_id="library-b")
        statuses = [
            (await http.get("/kpi/v1/events", headers=h)).status_code
            for h in (first, second, first)
        ]
        assert (await http.get("/kpi/v1/events", headers=other)).status_code == 200
    # Two tokens of one client share its bucket.
    assert statuses == [200, 200, 429]


async def test_a_token_that_does_not_verify_counts_against_the_address_only() -> None:
    async with edge(client=Quota(per_second=0.01, burst=1)) as (http, upstream, _):
        for _ in range(3):
            answer = await http.get("/kpi/v1/events", headers={"Authorization": "Bearer x.y.z"})
            # Passed on: the proxy (here the stand-in) answers it; the edge does not.
            assert answer.status_code == 200
            assert answer.headers["ratelimit-limit"] == "1000"
    assert len(upstream.calls) == 3


async def test_the_token_endpoint_is_limited_per_address_whatever_client_id_is_tried() -> None:
    token = Quota(per_second=0.01, burst=2)
    async with edge(token=token) as (http, _, _):
        tried = [
            (await http.post("/auth/token", headers=basic("library-a"))).status_code
            for _ in range(3)
        ]
        other = await http.post("/auth/token", headers=basic("library-b"))
    assert tried == [200, 200, 429]
    # The bucket is the address's, whatever client id is tried: another id is refused too, and
    # a client calling from elsewhere keeps its own (test_token_endpoint_isolation.py).
    assert other.status_code == 429


async def test_behind_a_trusted_proxy_the_forwarded_caller_is_limited() -> None:
    quota = Quota(per_second=0.01, burst=1)
    async with edge(address=quota, trusted_proxies=("10.0.0.0/8",), peer="10.1.2.3") as (
        http,
        _,
        _,
    ):
        one = await http.get("/kpi/v1/events", headers={"X-Forwarded-For": "198.51.100.7"})
        other = await http.get("/kpi/v1/events", headers={"X-Forwarded-For": "198.51.100.8"})
        again = await http.get(
            "/kpi/v1/events", headers={"X-Forwarded-For": "198.51.100.7, 10.9.9.9"}
        )
    assert [one.status_code, other.status_code, again.status_code] == [200, 200, 429]


def test_caller_address_rules() -> None:
    trusted = parse_networks(["10.0.0.0/8", "::1"])
    assert caller_address(("192.0.2.1", 1), b"198.51.100.7", trusted) == "192.0.2.1"
    assert caller_address(("10.0.0.1", 1), b"198.51.100.7", trusted) == "198.51.100.7"
    assert caller_address(("10.0.0.1", 1), b"1.1.1.1, 198.51.100.7", trusted) == "198.51.100.7"
    assert caller_address(("10.0.0.1", 1), b"not-an-ip", trusted) == "10.0.0.1"
    assert caller_address(("10.0.0.1", 1), None, trusted) == "10.0.0.1"
    assert caller_address(("::1", 1), b"2001:db8::1", trusted) == "2001:db8::1"
    assert caller_address(None, None, ()) == "unknown"


async def test_without_limits_there_are_no_limit_headers() -> None:
    async with edge(limits=False) as (http, _, _):
        answer = await http.get("/kpi/v1/events")
    assert answer.status_code == 200
    assert "ratelimit-limit" not in answer.headers


# ---------------------------------------------------------------- CORS


async def test_a_public_read_is_open_to_any_origin_without_credentials() -> None:
    async with edge() as (http, _, _):
        answer = await http.get(PUBLIC_CATALOGUE, headers={"Origin": ELSEWHERE})
        listed = await http.get("/catalogue/v1/products", headers={"Origin": LISTED})
        no_origin = await http.get("/.well-known/jwks.json")
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers
    exposed = answer.headers["access-control-expose-headers"]
    for name in ("ETag", "Link", "Location", "RateLimit-Remaining", "Retry-After", "X-Request-ID"):
        assert name in exposed
    assert answer.headers["vary"] == "Origin"
    # A listed origin is named, with credentials, on public reads too.
    assert listed.headers["access-control-allow-origin"] == LISTED
    assert listed.headers["access-control-allow-credentials"] == "true"
    # Without an Origin as well: a shared cache may hand this answer to a browser.
    assert no_origin.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/kpi/v1/events"),
        ("GET", "/catalogue/v1/products/0192f3c4"),
        ("GET", "/catalogue/v1/libraries/mine/catalogue"),
        ("POST", "/catalogue/v1/products"),
        ("GET", "/catalogue/v1/unknown"),
    ],
)
async def test_everything_else_is_open_to_the_listed_origins_only(method: str, path: str) -> None:
    async with edge() as (http, _, _):
        elsewhere = await http.request(method, path, headers={"Origin": ELSEWHERE})
        listed = await http.request(method, path, headers={"Origin": LISTED})
        without = await http.request(method, path)
    assert "access-control-allow-origin" not in elsewhere.headers
    assert elsewhere.headers["vary"] == "Origin"
    assert listed.headers["access-control-allow-origin"] == LISTED
    assert listed.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in without.headers


async def test_a_preflight_for_a_public_read_is_answered_for_any_origin() -> None:
    async with edge() as (http, upstream, _):
        answer = await http.options(
            PUBLIC_CATALOGUE, headers=preflight(ELSEWHERE, "GET", "if-none-match")
        )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD"
    assert "If-None-Match" in answer.headers["access-control-allow-headers"]
    assert "Authorization" not in answer.headers["access-control-allow-headers"]
    assert answer.headers["access-control-max-age"] == "600"
    assert answer.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in answer.headers
    assert upstream.calls == []  # never passed on


async def test_a_preflight_from_a_listed_origin_allows_writes_with_credentials() -> None:
    async with edge() as (http, upstream, _):
        answer = await http.options(
            "/catalogue/v1/products",
            headers=preflight(LISTED, "POST", "authorization, content-type, idempotency-key"),
        )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == LISTED
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert "POST" in answer.headers["access-control-allow-methods"]
    for name in ("Authorization", "Content-Type", "Idempotency-Key", "If-Match"):
        assert name in answer.headers["access-control-allow-headers"]
    assert upstream.calls == []


@pytest.mark.parametrize(
    ("path", "method"),
    [("/kpi/v1/events", "GET"), ("/catalogue/v1/products", "POST"), (PUBLIC_CATALOGUE, "DELETE")],
)
async def test_other_preflights_are_refused(path: str, method: str) -> None:
    async with edge() as (http, upstream, _):
        answer = await http.options(path, headers=preflight(ELSEWHERE, method))
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert "access-control-allow-origin" not in answer.headers
    assert upstream.calls == []


async def test_an_options_request_that_is_no_preflight_is_passed_on() -> None:
    async with edge() as (http, upstream, _):
        await http.options("/kpi/v1/events", headers={"Origin": LISTED})
    assert upstream.calls == ["OPTIONS /kpi/v1/events"]


async def test_a_browser_can_read_a_429() -> None:
    async with edge(address=Quota(per_second=0.01, burst=1)) as (http, _, _):
        await http.get(PUBLIC_CATALOGUE, headers={"Origin": ELSEWHERE})
        refused = await http.get(PUBLIC_CATALOGUE, headers={"Origin": ELSEWHERE})
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == "*"
    assert "Retry-After" in refused.headers["access-control-expose-headers"]


# ---------------------------------------------------------------- headers and paths


async def test_headers_over_the_limit_are_431() -> None:
    async with edge(max_header_bytes=4096) as (http, upstream, _):
        fits = await http.get("/kpi/v1/events", headers={"X-Note": "a" * 3000})
        too_many = await http.get("/kpi/v1/events", headers={"X-Note": "a" * 5000})
        spread = await http.get(
            "/kpi/v1/events", headers={f"X-Note-{n}": "a" * 500 for n in range(10)}
        )
    assert fits.status_code == 200
    for answer in (too_many, spread):
        assert answer.status_code == 431
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith(":headers-too-large")
    assert len(upstream.calls) == 1


async def test_two_authorization_headers_are_a_bad_request() -> None:
    async with edge() as (http, upstream, issuer):
        token = issuer.token("analyst")
        answer = await http.get(
            "/kpi/v1/events",
            headers=[("Authorization", f"Bearer {token}"), ("Authorization", "Bearer other")],
        )
    assert answer.status_code == 400
    assert answer.json()["type"].endswith(":malformed-authorization")
    assert upstream.calls == []


@pytest.mark.parametrize(
    "path",
    ["/kpi/v1/%2e%2e/metrics", "/kpi/v1/a%2fb", "/.well-known/..%2fopenapi.json", "/auth//token"],
)
async def test_unsafe_paths_stop_at_the_edge_for_every_route(path: str) -> None:
    async with edge() as (http, upstream, _):
        answer = await http.get(path)
    assert answer.status_code == 400
    assert answer.json()["type"].endswith(":unsafe-path")
    assert upstream.calls == []


# ---------------------------------------------------------------- in the whole gateway


async def test_the_gateway_answers_429_with_the_headers(
    gateway_settings: Any, open_gateway: Any
) -> None:
    settings = gateway_settings(rate_limit_address_burst=2, rate_limit_address_per_second=0.01)
    async with open_gateway(settings) as (http, _):
        answers = [await http.get("/.well-known/jwks.json") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["ratelimit-remaining"] == "1"
    assert answers[2].headers["retry-after"] == "100"
    assert answers[2].headers["x-request-id"]


async def test_the_gateway_answers_preflights_itself(
    gateway_settings: Any, open_gateway: Any
) -> None:
    settings = gateway_settings(cors_origins=LISTED)
    async with open_gateway(settings) as (http, _):
        answer = await http.options("/kpi/v1/events", headers=preflight(LISTED, "GET"))
        refused = await http.options("/kpi/v1/events", headers=preflight(ELSEWHERE, "GET"))
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == LISTED
    assert refused.status_code == 403
