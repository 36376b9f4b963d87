"""The token endpoint (RFC 6749 client credentials) and the key set, on every database backend."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

from chassis.db import Database
from gateway.clients import register_client, revoke_client, rotate_secret
from gateway.models import ApiClient
from gateway.runtime import gateway_runtime
from gateway.scopes import Scope
from gateway.settings import GatewaySettings

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


VENDOR_ID = uuid.UUID("0193a5c2-7b4e-7d21-9f3a-2c6e8b1d4f71")


async def create_client(url: str, role: str, scope: Scope | None = None) -> tuple[str, str]:
    async with Database(GatewaySettings(database_url=url)) as db:
        async with db.writer() as session, session.begin():
            client, secret = await register_client(
                session,
                name=f"Test {role}",
                role=role,
                scope=scope or Scope(),
                hasher=PasswordHasher(),
            )
        return client.client_id, secret


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def assert_oauth_error(response: Any, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert response.headers["cache-control"] == "no-store"


async def test_basic_authentication_issues_a_token_with_the_clients_claims(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "library", Scope(isil="NO-2030000"))
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):
        response = await http.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            headers=basic(client_id, secret),
        )
        jwks = (await http.get("/.well-known/jwks.json")).json()
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    assert header["kid"] == jwks["keys"][0]["kid"]
    key = jwt.PyJWK.from_dict(jwks["keys"][0])
    claims = jwt.decode(
        body["access_token"], key.key, algorithms=["RS256"], audience="library-platform"
    )
    assert claims["iss"] == "http://127.0.0.1:8000"
    assert claims["sub"] == client_id
    assert claims["roles"] == ["library"]
    assert claims["isil"] == "NO-2030000"
    assert "county" not in claims
    assert "vendor_id" not in claims
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]


async def test_body_authentication_and_the_role_as_scope_are_accepted(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "county_admin", Scope(county="03"))
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):
        response = await http.post(
            "/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "scope": "county_admin",
            },
        )
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["county"] == "03"
    assert claims["roles"] == ["county_admin"]


async def test_unknown_clients_wrong_secrets_and_revoked_clients_are_invalid_clients(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "vendor", Scope(vendor_id=VENDOR_ID))
    revoked_id, revoked_secret = await create_client(gateway_db, "partner")
    async with (
        Database(GatewaySettings(database_url=gateway_db)) as db,
        db.writer() as session,
        session.begin(),
    ):
        await session.execute(
            update(ApiClient)
            .where(ApiClient.client_id == revoked_id)
            .values(revoked_at=datetime.now(UTC), version=ApiClient.version + 1)
        )
    grant = {"grant_type": "client_credentials"}
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):
        unknown = await http.post("/auth/token", data=grant, headers=basic("nobody-123", secret))
        wrong = await http.post(
            "/auth/token", data={**grant, "client_id": client_id, "client_secret": "wrong"}
        )
        revoked = await http.post(
            "/auth/token", data=grant, headers=basic(revoked_id, revoked_secret)
        )
    assert_oauth_error(unknown, 401, "invalid_client")
    assert unknown.headers["www-authenticate"].startswith("Basic ")
    # Authenticated in the body, not with HTTP authentication: 400 (RFC 6749 §5.2).
    assert_oauth_error(wrong, 400, "invalid_client")
    assert "www-authenticate" not in wrong.headers
    assert_oauth_error(revoked, 401, "invalid_client")


async def test_a_scope_beyond_the_clients_role_is_refused(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "staff", Scope(isil="NO-2120100"))
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):
        response = await http.post(
            "/auth/token",
            data={"grant_type": "client_credentials", "scope": "operator"},
            headers=basic(client_id, secret),
        )
    assert_oauth_error(response, 400, "invalid_scope")


@pytest.mark.parametrize(
    ("content", "headers", "status", "error"),
    [
        pytest.param(
            "grant_type=password&username=a&password=b",
            FORM,
            400,
            "unsupported_grant_type",
            id="unsupported-grant-type",
        ),
        pytest.param(
            "client_id=a&client_secret=b", FORM, 400, "invalid_request", id="no-grant-type"
        ),
        pytest.param(
            json.dumps({"grant_type": "client_credentials"}),
            {"Content-Type": "application/json"},
            400,
            "invalid_request",
            id="json-body",
        ),
        pytest.param(
            "grant_type=client_credentials&&=",
            FORM,
            400,
            "invalid_request",
            id="malformed-form",
        ),
        pytest.param(
            b"grant_type=client_credentials&client_id=\xff",
            FORM,
            400,
            "invalid_request",
            id="not-utf8",
        ),
        pytest.param(
            "grant_type=client_credentials&grant_type=client_credentials",
            FORM,
            400,
            "invalid_request",
            id="repeated-parameter",
        ),
        pytest.param(
            "grant_type=client_credentials", FORM, 401, "invalid_client", id="no-credentials"
        ),
        pytest.param(
            "grant_type=client_credentials&client_secret=s",
            {**FORM, "Authorization": "Basic YTpi"},
            400,
            "invalid_request",
            id="two-methods",
        ),
        pytest.param(
            "grant_type=client_credentials",
            {**FORM, "Authorization": "Basic !!!"},
            401,
            "invalid_client",
            id="basic-not-base64",
        ),
        pytest.param(
            "grant_type=client_credentials",
            {**FORM, "Authorization": "Bearer abc"},
            401,
            "invalid_client",
            id="not-basic",
        ),
        pytest.param(
            "grant_type=client_credentials",
            {**FORM, "Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
            401,
            "invalid_client",
            id="basic-without-colon",
        ),
        pytest.param(
            "grant_type=authorization_code&code=x&redirect_uri=https://a.example/",
            FORM,
            400,
            "unsupported_grant_type",
            id="authorization-code",
        ),
        pytest.param("", FORM, 400, "invalid_request", id="empty-body"),
        pytest.param(
            "grant_type=client_credentials&" + "&".join(f"x{i}=1" for i in range(40)),
            FORM,
            400,
            "invalid_request",
            id="too-many-fields",
        ),
        pytest.param(
            "grant_type=client_credentials&scope=library&scope=operator",
            {**FORM, "Authorization": "Basic YTpi"},
            400,
            "invalid_request",
            id="repeated-scope",
        ),
        pytest.param(
            "grant_type=client_credentials&client_id=a",
            FORM,
            400,
            "invalid_client",
            id="public-client",
        ),
        pytest.param(
            "grant_type=client_credentials",
            {"Content-Type": "multipart/form-data; boundary=x"},
            400,
            "invalid_request",
            id="multipart",
        ),
    ],
)
async def test_malformed_token_requests_get_rfc6749_errors(
    gateway_settings: Any,
    open_gateway: Any,
    content: str | bytes,
    headers: dict[str, str],
    status: int,
    error: str,
) -> None:
    async with open_gateway(gateway_settings()) as (http, _):
        response = await http.post("/auth/token", content=content, headers=headers)
    assert_oauth_error(response, status, error)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic ")


async def test_the_key_set_publishes_the_signing_key(
    gateway_settings: Any, open_gateway: Any
) -> None:
    async with open_gateway(gateway_settings()) as (http, app):
        response = await http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA"
    assert key["use"] == "sig"
    assert key["alg"] == "RS256"
    assert key["kid"] == gateway_runtime(app).keys.signing_key.kid
    assert {"n", "e"} <= key.keys()
    assert not {"d", "p", "q"} & key.keys(), "the private half must never be published"


async def test_a_missing_key_file_is_generated_private(
    gateway_settings: Any, open_gateway: Any, tmp_path: Any
) -> None:
    key_file = tmp_path / "keys" / "new-key.pem"
    async with open_gateway(gateway_settings(signing_key_file=key_file)) as (http, _):
        kid = (await http.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
    assert key_file.stat().st_mode & 0o777 == 0o600
    async with open_gateway(gateway_settings(signing_key_file=key_file)) as (http, _):
        assert (await http.get("/.well-known/jwks.json")).json()["keys"][0]["kid"] == kid


async def test_a_token_from_the_endpoint_is_accepted_by_a_service_behind_the_gateway(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "analyst")
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):
        issued = await http.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            headers=basic(client_id, secret),
        )
        token = issued.json()["access_token"]
        # The kpi service verifies it again, against the gateway's key set.
        response = await http.get("/kpi/v1/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "client_id",
    ["nul\x00byte", "x" * 65, "", "ünïcödé-client", "tab\tclient"],
    ids=["nul-byte", "too-long", "empty", "non-ascii", "control-character"],
)
async def test_client_ids_that_cannot_exist_are_invalid_clients_on_every_backend(
    gateway_db: str, gateway_settings: Any, open_gateway: Any, client_id: str
) -> None:
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):
        by_body = await http.post(
            "/auth/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "s"},
        )
        by_header = await http.post(
            "/auth/token",
            data={"grant_type": "client_credentials"},
            headers=basic(client_id, "s"),
        )
    assert_oauth_error(by_body, 400, "invalid_client")
    assert_oauth_error(by_header, 401, "invalid_client")


async def test_a_rotated_secret_replaces_the_old_one_at_once_or_after_its_grace(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, first = await create_client(gateway_db, "library", Scope(isil="NO-2030000"))
    grant = {"grant_type": "client_credentials"}
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):

        async def status(secret: str) -> int:
            response = await http.post("/auth/token", data=grant, headers=basic(client_id, secret))
            return response.status_code

        async with (
            Database(GatewaySettings(database_url=gateway_db)) as db,
            db.writer() as session,
            session.begin(),
        ):
            _, second = await rotate_secret(
                session, client_id, hasher=PasswordHasher(), grace=timedelta(minutes=5)
            )
        assert (await status(first), await status(second)) == (200, 200)

        async with (
            Database(GatewaySettings(database_url=gateway_db)) as db,
            db.writer() as session,
            session.begin(),
        ):
            _, third = await rotate_secret(session, client_id, hasher=PasswordHasher())
        assert (await status(first), await status(second), await status(third)) == (401, 401, 200)

        async with (
            Database(GatewaySettings(database_url=gateway_db)) as db,
            db.writer() as session,
            session.begin(),
        ):
            _, fourth = await rotate_secret(
                session, client_id, hasher=PasswordHasher(), grace=timedelta(minutes=5)
            )
            # The grace period is over.
            await session.execute(
                update(ApiClient)
                .where(ApiClient.client_id == client_id)
                .values(previous_secret_until=datetime.now(UTC), version=ApiClient.version + 1)
            )
        assert (await status(third), await status(fourth)) == (401, 200)


async def test_a_revoked_client_gets_no_new_token_but_its_tokens_run_out_normally(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "analyst")
    grant = {"grant_type": "client_credentials"}
    async with open_gateway(gateway_settings(database_url=gateway_db)) as (http, _):
        issued = await http.post("/auth/token", data=grant, headers=basic(client_id, secret))
        token = issued.json()["access_token"]
        async with (
            Database(GatewaySettings(database_url=gateway_db)) as db,
            db.writer() as session,
            session.begin(),
        ):
            await revoke_client(session, client_id)
        refused = await http.post("/auth/token", data=grant, headers=basic(client_id, secret))
        by_body = await http.post(
            "/auth/token", data={**grant, "client_id": client_id, "client_secret": secret}
        )
        still = await http.get("/kpi/v1/events", headers={"Authorization": f"Bearer {token}"})
    assert_oauth_error(refused, 401, "invalid_client")
    assert refused.headers["www-authenticate"].startswith("Basic ")
    assert_oauth_error(by_body, 400, "invalid_client")
    assert refused.json()["error_description"] == by_body.json()["error_description"]
    assert still.status_code == 200


async def test_wrong_secrets_beyond_the_checks_allowed_at_once_are_turned_away_cheaply(
    gateway_db: str, gateway_settings: Any, open_gateway: Any
) -> None:
    client_id, secret = await create_client(gateway_db, "vendor", Scope(vendor_id=VENDOR_ID))
    grant = {"grant_type": "client_credentials"}
    settings = gateway_settings(
        database_url=gateway_db, secret_checks_at_once=1, secret_checks_waiting=1
    )
    async with open_gateway(settings) as (http, _):
        wrong = await asyncio.gather(
            *(
                http.post("/auth/token", data=grant, headers=basic(client_id, f"guess-{n}"))
                for n in range(12)
            )
        )
        right = await http.post("/auth/token", data=grant, headers=basic(client_id, secret))
    busy = [r for r in wrong if r.status_code == 503]
    # One checked, one waiting: the rest answered at once, without an argon2 check each.
    assert busy
    assert {r.status_code for r in wrong} <= {401, 503}
    for response in busy:
        assert_oauth_error(response, 503, "temporarily_unavailable")
        assert response.headers["retry-after"] == "1"
    # Once they are through, the real client still gets its token.
    assert right.status_code == 200, right.text
