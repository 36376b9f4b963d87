"""Key sets and issuers in the kit: discovery, the `iss` choosing the keys, claim mapping, refresh."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from chassis.auth import AuthError, KeySet, TokenVerifier
from chassis.settings import AuthSettings, TrustedIssuer
from chassis.testing import TestIssuer
from notes_app.app import NotesSettings

IDP = "https://idp.example/realms/libraries"
DISCOVERY = f"{IDP}/.well-known/openid-configuration"
IDP_JWKS = "https://idp.example/certs"


class FakeIdP:
    """Answers discovery and JWKS requests like an OpenID Connect issuer; counts them."""

    def __init__(self, issuer: TestIssuer, *, discovered_issuer: str = IDP) -> None:
        self.issuer = issuer
        self.discovered_issuer = discovered_issuer
        self.jwks: dict[str, Any] = issuer.jwks
        self.requests: list[str] = []
        self.down = False

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        if self.down:
            return httpx.Response(503)
        if str(request.url) == DISCOVERY:
            return httpx.Response(
                200, json={"issuer": self.discovered_issuer, "jwks_uri": IDP_JWKS}
            )
        if str(request.url) == IDP_JWKS:
            return httpx.Response(200, json=self.jwks)
        return httpx.Response(404)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.answer))


@pytest.fixture
def idp_issuer() -> TestIssuer:
    return TestIssuer(issuer=IDP, audience="library-platform")


def settings_trusting(own: TestIssuer, **trusted: Any) -> AuthSettings:
    return AuthSettings(
        jwks_json=json.dumps(own.jwks),
        trusted_issuers=[TrustedIssuer(issuer=IDP, **trusted)],
    )


async def test_a_trusted_issuer_is_discovered_and_its_tokens_accepted(
    issuer: TestIssuer, idp_issuer: TestIssuer
) -> None:
    idp = FakeIdP(idp_issuer)
    async with idp.client() as http:
        verifier = TokenVerifier(settings_trusting(issuer), http)
        external = await verifier.verify(idp_issuer.token("analyst", isil="NO-2030000"))
        own = await verifier.verify(issuer.token("operator"))
    assert external.roles == {"analyst"}
    assert external.isil == "NO-2030000"
    assert own.roles == {"operator"}
    assert idp.requests == [DISCOVERY, IDP_JWKS]


async def test_claims_are_mapped_from_where_the_issuer_puts_them(
    issuer: TestIssuer, idp_issuer: TestIssuer
) -> None:
    idp = FakeIdP(idp_issuer)
    claims = idp_issuer.claims(
        [],
        realm_access={"roles": ["county_admin", "offline_access"]},
        kommune={"fylke": "46"},
        azp="county-tool",
    )
    async with idp.client() as http:
        verifier = TokenVerifier(
            settings_trusting(
                issuer,
                claims={
                    "roles": "realm_access.roles",
                    "county": "kommune.fylke",
                    "client_id": "azp",
                },
            ),
            http,
        )
        mapped = await verifier.verify(idp_issuer.sign(claims))
        spaced = await verifier.verify(
            idp_issuer.sign(idp_issuer.claims([], realm_access={"roles": "partner analyst"}))
        )
    # Roles the platform does not know (offline_access) are dropped, not kept.
    assert mapped.roles == {"county_admin"}
    assert mapped.county == "46"
    assert mapped.client_id == "county-tool"
    assert spaced.roles == {"partner", "analyst"}


async def test_the_tokens_issuer_chooses_the_key_set(
    issuer: TestIssuer, idp_issuer: TestIssuer
) -> None:
    idp = FakeIdP(idp_issuer)
    async with idp.client() as http:
        verifier = TokenVerifier(settings_trusting(issuer), http)
        await verifier.verify(idp_issuer.token("analyst"))  # its keys are loaded now
        # Signed by the trusted IdP's key, but claiming to be the gateway: the gateway's key set
        # does not hold that kid, whatever other issuers' sets hold.
        posing = idp_issuer.sign(idp_issuer.claims(["operator"], iss=issuer.issuer))
        untrusted = TestIssuer(issuer="https://elsewhere.example").token("operator")
        wrong_audience = idp_issuer.sign(idp_issuer.claims(["analyst"], aud="another-platform"))
        for token, says in (
            (posing, "unknown key"),
            (untrusted, "untrusted issuer"),
            (wrong_audience, "another audience"),
        ):
            with pytest.raises(AuthError, match=says):
                await verifier.verify(token)


async def test_a_discovery_document_naming_another_issuer_yields_no_keys(
    issuer: TestIssuer, idp_issuer: TestIssuer
) -> None:
    idp = FakeIdP(idp_issuer, discovered_issuer="https://impostor.example")
    async with idp.client() as http:
        verifier = TokenVerifier(settings_trusting(issuer), http)
        with pytest.raises(AuthError, match="unknown key"):
            await verifier.verify(idp_issuer.token("analyst"))
    assert idp.requests == [DISCOVERY]


async def test_a_configured_jwks_url_skips_discovery(
    issuer: TestIssuer, idp_issuer: TestIssuer
) -> None:
    idp = FakeIdP(idp_issuer)
    async with idp.client() as http:
        verifier = TokenVerifier(settings_trusting(issuer, jwks_url=IDP_JWKS), http)
        assert (await verifier.verify(idp_issuer.token("partner"))).roles == {"partner"}
    assert idp.requests == [IDP_JWKS]


async def test_unknown_kids_refresh_at_most_once_per_interval(idp_issuer: TestIssuer) -> None:
    idp = FakeIdP(idp_issuer)
    async with idp.client() as http:
        keys = KeySet(http, jwks_url=IDP_JWKS, refresh_min_seconds=0.3)
        await keys.key(idp_issuer.kid)
        for made_up in ("a", "b", "c"):
            with pytest.raises(AuthError):
                await keys.key(made_up)
        assert idp.requests == [IDP_JWKS]
        await asyncio.sleep(0.35)
        with pytest.raises(AuthError):
            await keys.key("d")
    assert idp.requests == [IDP_JWKS, IDP_JWKS]


async def test_concurrent_tokens_with_a_new_kid_share_one_fetch(idp_issuer: TestIssuer) -> None:
    idp = FakeIdP(idp_issuer)
    async with idp.client() as http:
        keys = KeySet(http, jwks_url=IDP_JWKS, refresh_min_seconds=60)
        found = await asyncio.gather(*(keys.key(idp_issuer.kid) for _ in range(20)))
    assert {key.key_id for key in found} == {idp_issuer.kid}
    assert idp.requests == [IDP_JWKS]


async def test_a_stale_set_is_fetched_again_and_a_dropped_key_refused(
    idp_issuer: TestIssuer,
) -> None:
    idp = FakeIdP(idp_issuer)
    async with idp.client() as http:
        keys = KeySet(http, jwks_url=IDP_JWKS, cache_seconds=0.2, refresh_min_seconds=0)
        await keys.key(idp_issuer.kid)
        idp.jwks = {"keys": []}
        # Within the cache time the held set answers without asking the issuer.
        await keys.key(idp_issuer.kid)
        assert idp.requests == [IDP_JWKS]
        await asyncio.sleep(0.25)
        with pytest.raises(AuthError, match="unknown key"):
            await keys.key(idp_issuer.kid)
    assert idp.requests == [IDP_JWKS, IDP_JWKS]


async def test_an_unreachable_issuer_leaves_the_held_keys_in_use(idp_issuer: TestIssuer) -> None:
    idp = FakeIdP(idp_issuer)
    async with idp.client() as http:
        keys = KeySet(http, jwks_url=IDP_JWKS, cache_seconds=0.1, refresh_min_seconds=0)
        await keys.key(idp_issuer.kid)
        idp.down = True
        await asyncio.sleep(0.15)
        assert (await keys.key(idp_issuer.kid)).key_id == idp_issuer.kid
    assert idp.requests == [IDP_JWKS, IDP_JWKS]


async def test_a_verified_token_stops_working_when_its_key_is_dropped(
    idp_issuer: TestIssuer,
) -> None:
    idp = FakeIdP(idp_issuer)
    token = idp_issuer.token("analyst")
    async with idp.client() as http:
        settings = AuthSettings(
            issuer=IDP, jwks_url=IDP_JWKS, jwks_cache_seconds=1, jwks_refresh_min_seconds=0
        )
        verifier = TokenVerifier(settings, http)
        await verifier.verify(token)
        idp.jwks = {"keys": []}
        await verifier.verify(token)  # remembered, and the key is still held
        await asyncio.sleep(1.1)  # past jwks_cache_seconds
        with pytest.raises(AuthError, match="unknown key"):
            await verifier.verify(idp_issuer.token("analyst"))
        # The key set no longer holds the kid: the remembered verification does not outlive it.
        with pytest.raises(AuthError, match="unknown key"):
            await verifier.verify(token)


@pytest.mark.parametrize(
    "trusted",
    [
        [{"issuer": "http://127.0.0.1:8000"}],
        [{"issuer": IDP}, {"issuer": IDP}],
        [{"issuer": IDP, "algorithms": ["HS256"]}],
        [{"issuer": IDP, "claims": {"email": "mail"}}],
        [{"issuer": IDP, "unknown": True}],
    ],
    ids=["same-as-gateway", "twice", "symmetric-alg", "unmappable-claim", "unknown-field"],
)
def test_unsafe_or_ambiguous_issuer_settings_are_refused(trusted: list[dict[str, Any]]) -> None:
    with pytest.raises(ValidationError):
        AuthSettings(trusted_issuers=trusted)


def test_trusted_issuers_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "NOTES_AUTH__TRUSTED_ISSUERS",
        f'[{{"issuer": "{IDP}", "audience": "account", "claims": {{"roles": "realm_access.roles"}}}}]',
    )
    (trusted,) = NotesSettings().auth.trusted_issuers
    assert trusted.issuer == IDP
    assert trusted.audience == "account"
    assert trusted.jwks_url is None
    assert trusted.discovery_url() == DISCOVERY
    assert trusted.claims == {"roles": "realm_access.roles"}
