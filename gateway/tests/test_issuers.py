"""An external OpenID Connect issuer trusted beside the gateway: a small issuer that the test starts
on a loopback port (discovery and JWKS over HTTP, its own RSA key), the gateway's edge and a
service both verifying its tokens, and the token's `iss` choosing the key set."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from chassis.testing import Databases, TestIssuer
from gateway.runtime import gateway_runtime
from gateway.scopes import Scope as TokenScope
from gateway.tokens import mint_token
from kpi.app import SPEC as KPI_SPEC
from kpi.app import create_app as create_kpi_app
from kpi.settings import KpiSettings

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def make_gateway_token(gateway_key: Any) -> Callable[..., str]:
    def make(role: str) -> str:
        return mint_token(
            gateway_key[1],
            issuer="http://127.0.0.1:8000",
            audience="library-platform",
            subject=f"test-{role}",
            role=role,
            scope=TokenScope(),
            ttl_seconds=300,
        )

    return make


class SmallIssuer:
    """An OpenID Connect issuer reduced to what verifiers read: its discovery document and JWKS.
    Signs tokens with a key of its own; records the paths asked for."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.signer: TestIssuer | None = None

    @property
    def url(self) -> str:
        assert self.signer is not None
        return self.signer.issuer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self.signer is not None
        self.requests.append(scope["path"])
        documents = {
            "/.well-known/openid-configuration": {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/protocol/openid-connect/certs",
                "id_token_signing_alg_values_supported": ["RS256"],
            },
            "/protocol/openid-connect/certs": self.signer.jwks,
        }
        document = documents.get(scope["path"])
        body = json.dumps(document or {"error": "not found"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200 if document else 404,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def top_level_roles(self, *roles: str) -> str:
        assert self.signer is not None
        return self.signer.token(*roles)

    def token(self, *roles: str, **claims: Any) -> str:
        """A token as an IdP like Keycloak shapes it: the roles under realm_access."""
        assert self.signer is not None
        return self.signer.sign(
            self.signer.claims([], realm_access={"roles": list(roles)}, **claims)
        )


@pytest.fixture
async def small_issuer(serve: Any) -> AsyncIterator[SmallIssuer]:
    issuer = SmallIssuer()
    async with serve(issuer) as url:
        issuer.signer = TestIssuer(issuer=url)
        yield issuer


def trusting(issuer: SmallIssuer) -> list[dict[str, Any]]:
    # No jwks_url: found by discovery.
    return [{"issuer": issuer.url, "claims": {"roles": "realm_access.roles"}}]


@asynccontextmanager
async def kpi_trusting(
    serve: Any, databases: Databases, gateway_jwks: dict[str, Any], issuer: SmallIssuer
) -> AsyncIterator[str]:
    """A kpi service that trusts the gateway's key set and the small issuer."""
    url = await databases.migrated("kpi", KPI_SPEC.alembic_ini)
    settings = KpiSettings(
        database_url=url,
        log_format="json",
        auth={"jwks_json": json.dumps(gateway_jwks), "trusted_issuers": trusting(issuer)},
    )
    try:
        async with serve(create_kpi_app(settings)) as base_url:
            yield base_url
    finally:
        await databases.empty("kpi")


async def test_tokens_of_the_trusted_issuer_and_of_the_gateway_pass_edge_and_service(
    small_issuer: SmallIssuer,
    serve: Any,
    databases: Databases,
    gateway_key: Any,
    gateway_settings: Any,
    open_gateway: Any,
    make_gateway_token: Callable[..., str],
) -> None:
    async with kpi_trusting(serve, databases, gateway_key[1].jwks(), small_issuer) as kpi_url:
        settings = gateway_settings(
            kpi_url=kpi_url, auth={"trusted_issuers": trusting(small_issuer)}
        )
        async with open_gateway(settings) as (http, _):
            external = await http.get(
                "/kpi/v1/events", headers=bearer(small_issuer.token("analyst"))
            )
            own = await http.get("/kpi/v1/events", headers=bearer(make_gateway_token("analyst")))
            # Directly at the service, too: it trusts the issuer by its own settings.
            async with httpx.AsyncClient() as direct:
                at_service = await direct.get(
                    f"{kpi_url}/v1/events", headers=bearer(small_issuer.token("analyst"))
                )
    assert external.status_code == 200, external.text
    assert own.status_code == 200, own.text
    assert at_service.status_code == 200, at_service.text
    # Discovery once, then the key set: each side fetched both once, not per request.
    assert small_issuer.requests.count("/.well-known/openid-configuration") == 2
    assert small_issuer.requests.count("/protocol/openid-connect/certs") == 2


async def test_the_edge_refuses_untrusted_issuers_and_keys_presented_under_another_issuer(
    small_issuer: SmallIssuer, gateway_settings: Any, open_gateway: Any
) -> None:
    settings = gateway_settings(auth={"trusted_issuers": trusting(small_issuer)})
    elsewhere = TestIssuer(issuer="https://idp.elsewhere.example")
    cases = {
        "untrusted issuer": elsewhere.token("operator"),
        # The small issuer's key, claiming the gateway's iss: the gateway's key set decides.
        "gateway iss, foreign key": small_issuer.token("operator", iss="http://127.0.0.1:8000"),
        "wrong audience": small_issuer.token("operator", aud="another-platform"),
    }
    async with open_gateway(settings) as (http, app):
        responses = {
            case: await http.get("/kpi/v1/events", headers=bearer(token))
            for case, token in cases.items()
        }
        # Roles at the top level are not where this issuer was said to put them: none count.
        unmapped = await gateway_runtime(app).verifier.verify(
            small_issuer.top_level_roles("operator")
        )
    for case, response in responses.items():
        assert response.status_code == 401, (case, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert unmapped.roles == frozenset()
