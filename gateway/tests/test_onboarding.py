"""Onboarding API clients through the API (issue 15, point 12): a programme administrator
registers, lists, reads, rotates and revokes clients; the vendor or library a scope names must
exist in the catalogue, asked of a real catalogue service."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from catalogue_licensing.app import SPEC as CATALOGUE_SPEC
from catalogue_licensing.app import create_app as create_catalogue_app
from catalogue_licensing.demo import load_demo as load_catalogue_demo
from catalogue_licensing.demo.ids import NORDLYS_LYDBOK
from catalogue_licensing.settings import CatalogueSettings
from chassis.auth import ROLES
from chassis.conformance import operations, policy_matrix
from chassis.db import Database
from chassis.testing import Databases
from gateway.app import create_app
from gateway.cli.clients import registered_clients
from gateway.cli.demo import DEMO_SCOPES
from gateway.cli.main import main
from gateway.directory import CatalogueDirectory
from gateway.keys.signing_key import SigningKey
from gateway.models import audit_log
from gateway.onboarding.policy import POLICY
from gateway.scopes import Scope
from gateway.settings import GatewaySettings
from gateway.tokens import mint_token

from .conftest import serving

CLIENTS = "/gateway/v1/clients"
DEICHMAN = "NO-2030000"


@pytest.fixture(scope="session")
async def catalogue_url(
    tmp_path_factory: pytest.TempPathFactory,
    gateway_key: tuple[Path, SigningKey],
) -> AsyncIterator[str]:
    """A real catalogue service with its demo data (Nordlys Lydbok, Deichman), trusting the
    gateway's key set."""
    folder = tmp_path_factory.mktemp("catalogue")
    dbs = Databases("sqlite", folder)
    url = await dbs.migrated("catalogue", CATALOGUE_SPEC.alembic_ini)
    settings = CatalogueSettings(
        database_url=url,
        data_dir=folder,
        log_format="json",
        auth={"jwks_json": json.dumps(gateway_key[1].jwks())},
    )
    await load_catalogue_demo(settings)
    try:
        async with serving(create_catalogue_app(settings)) as base_url:
            yield base_url
    finally:
        await dbs.close()


def token(key: SigningKey, role: str = "programme_admin", **scope: Any) -> str:
    return mint_token(
        key,
        issuer="http://127.0.0.1:8000",
        audience="library-platform",
        subject=f"test-{role}",
        role=role,
        scope=Scope(**scope),
        ttl_seconds=300,
    )


def admin(key: SigningKey) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(key)}"}


async def token_status(client: httpx.AsyncClient, client_id: str, secret: str) -> int:
    answer = await client.post(
        "/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    return answer.status_code


async def test_a_programme_admin_registers_a_vendor_client_whose_secret_is_shown_once(
    gateway_settings: Any,
    gateway_db: str,
    open_gateway: Any,
    catalogue_url: str,
    gateway_key: tuple[Path, SigningKey],
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = gateway_key[1]
    settings = gateway_settings(database_url=gateway_db, catalogue_url=catalogue_url)
    async with open_gateway(settings) as (client, _):
        created = await client.post(
            CLIENTS,
            json={
                "name": "Nordlys integration",
                "role": "vendor",
                "vendor_id": str(NORDLYS_LYDBOK),
            },
            headers=admin(key),
        )
        assert created.status_code == 201, created.text
        body = created.json()
        secret = body["client_secret"]
        client_id = body["client_id"]
        assert len(secret) >= 43
        assert body["vendor_id"] == str(NORDLYS_LYDBOK)
        assert body["status"] == "active"
        assert created.headers["location"] == f"{CLIENTS}/{client_id}"
        assert created.headers["etag"] == f'"{body["version"]}"'
        assert created.headers["cache-control"] == "no-store"

        assert await token_status(client, client_id, secret) == 200

        read = await client.get(f"{CLIENTS}/{client_id}", headers=admin(key))
        listed = await client.get(CLIENTS, headers=admin(key))
        audit = await client.get("/gateway/v1/audit-log", headers=admin(key))
        not_modified = await client.get(
            f"{CLIENTS}/{client_id}",
            headers={**admin(key), "If-None-Match": read.headers["etag"]},
        )
    assert read.status_code == 200
    assert "client_secret" not in read.json()
    assert read.headers["etag"] == created.headers["etag"]
    assert not_modified.status_code == 304
    assert listed.status_code == 200
    assert [c["client_id"] for c in listed.json()["items"]] == [client_id]
    assert listed.json()["items"][0]["version"] == body["version"]
    (entry,) = audit.json()["items"]
    assert entry["actor"] == "test-programme_admin"
    assert entry["action"] == "client.registered"
    assert entry["resource_id"] == client_id
    # Never in a read, the trail, the log, or the database (only its hash).
    for text in (read.text, listed.text, audit.text, capsys.readouterr().out):
        assert secret not in text
    (stored,) = await registered_clients(settings)
    assert secret not in stored.secret_hash


async def test_a_scope_the_catalogue_does_not_know_is_refused_and_nothing_is_stored(
    gateway_settings: Any,
    gateway_db: str,
    open_gateway: Any,
    catalogue_url: str,
    gateway_key: tuple[Path, SigningKey],
) -> None:
    key = gateway_key[1]
    settings = gateway_settings(database_url=gateway_db, catalogue_url=catalogue_url)
    async with open_gateway(settings) as (client, _):
        vendor = await client.post(
            CLIENTS,
            json={"name": "Ghost vendor", "role": "vendor", "vendor_id": str(uuid.uuid4())},
            headers=admin(key),
        )
        library = await client.post(
            CLIENTS,
            json={"name": "Ghost library", "role": "library", "isil": "NO-9999999"},
            headers=admin(key),
        )
        spelled = await client.post(
            CLIENTS,
            json={"name": "Deichman website", "role": "library", "isil": DEICHMAN.lower()},
            headers=admin(key),
        )
    assert vendor.status_code == 422
    assert vendor.headers["content-type"] == "application/problem+json"
    assert vendor.json()["errors"][0]["location"] == "body.vendor_id"
    assert library.status_code == 422
    assert library.json()["errors"][0]["location"] == "body.isil"
    # The catalogue matches an ISIL in any case; the client keeps the catalogue's spelling, so
    # its tokens carry the ISIL the services know.
    assert spelled.status_code == 201, spelled.text
    assert spelled.json()["isil"] == DEICHMAN
    assert [c.name for c in await registered_clients(settings)] == ["Deichman website"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "vendor", "county": "03"}, "body.vendor_id"),
        ({"role": "county_admin", "isil": DEICHMAN}, "body.county"),
        ({"role": "library"}, "body.isil"),
        ({"role": "staff", "county": "03"}, "body.isil"),
        ({"role": "county_admin", "county": "3"}, "body.county"),
        ({"role": "vendor", "vendor_id": "not-a-uuid"}, "body.vendor_id"),
        ({"role": "county_admin", "county": "03", "isil": DEICHMAN}, "body.isil"),
        ({"role": "programme_admin"}, "body.role"),
        ({"role": "operator"}, "body.role"),
        ({"role": "superuser"}, "body.role"),
        ({"role": "analyst", "name": ""}, "body.name"),
        ({"role": "analyst", "secret": "mine"}, "body.secret"),
    ],
)
async def test_bad_registrations_are_422_problems_naming_the_field(
    gateway_settings: Any,
    open_gateway: Any,
    catalogue_url: str,
    gateway_key: tuple[Path, SigningKey],
    body: dict[str, Any],
    field: str,
) -> None:
    settings = gateway_settings(catalogue_url=catalogue_url)
    async with open_gateway(settings) as (client, _):
        answer = await client.post(
            CLIENTS, json={"name": "Misfit", **body}, headers=admin(gateway_key[1])
        )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [error["location"] for error in answer.json()["errors"]]
    assert await registered_clients(settings) == []


async def test_a_catalogue_that_cannot_answer_is_a_503_not_a_registration(
    gateway_settings: Any, open_gateway: Any, dead_url: str, gateway_key: tuple[Path, SigningKey]
) -> None:
    settings = gateway_settings(catalogue_url=dead_url)
    async with open_gateway(settings) as (client, _):
        answer = await client.post(
            CLIENTS,
            json={"name": "Nordlys", "role": "vendor", "vendor_id": str(NORDLYS_LYDBOK)},
            headers=admin(gateway_key[1]),
        )
        county = await client.post(
            CLIENTS,
            json={"name": "Oslo tool", "role": "county_admin", "county": "03"},
            headers=admin(gateway_key[1]),
        )
    assert answer.status_code == 503
    assert answer.headers["retry-after"]
    assert answer.json()["type"].endswith("directory-unavailable")
    # A county is a number of the right shape; the catalogue is not asked.
    assert county.status_code == 201
    assert [c.name for c in await registered_clients(settings)] == ["Oslo tool"]


async def test_rotation_and_revocation_need_the_current_etag_and_hold_at_the_token_endpoint(
    gateway_settings: Any,
    gateway_db: str,
    open_gateway: Any,
    catalogue_url: str,
    gateway_key: tuple[Path, SigningKey],
) -> None:
    key = gateway_key[1]
    settings = gateway_settings(database_url=gateway_db, catalogue_url=catalogue_url)
    async with open_gateway(settings) as (client, _):
        created = await client.post(
            CLIENTS,
            json={"name": "Deichman website", "role": "library", "isil": DEICHMAN},
            headers=admin(key),
        )
        client_id, first = created.json()["client_id"], created.json()["client_secret"]
        where = f"{CLIENTS}/{client_id}"
        no_match = await client.post(f"{where}/rotate-secret", headers=admin(key))
        stale = await client.post(
            f"{where}/rotate-secret", headers={**admin(key), "If-Match": '"99"'}
        )
        rotated = await client.post(
            f"{where}/rotate-secret",
            json={"grace_seconds": 0},
            headers={**admin(key), "If-Match": created.headers["etag"]},
        )
        second = rotated.json()["client_secret"]
        old_refused = await token_status(client, client_id, first)
        new_accepted = await token_status(client, client_id, second)
        revoked = await client.post(
            f"{where}/revoke", headers={**admin(key), "If-Match": rotated.headers["etag"]}
        )
        again = await client.post(
            f"{where}/revoke", headers={**admin(key), "If-Match": revoked.headers["etag"]}
        )
        after_revoke = await token_status(client, client_id, second)
        unknown = await client.post(
            f"{CLIENTS}/nobody-000000000000/revoke", headers={**admin(key), "If-Match": '"1"'}
        )
        audit = await client.get(
            "/gateway/v1/audit-log", params={"resource_id": client_id}, headers=admin(key)
        )
        revoked_list = await client.get(CLIENTS, params={"status": "revoked"}, headers=admin(key))
    assert no_match.status_code == 428
    assert stale.status_code == 412
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    assert second != first
    assert (old_refused, new_accepted) == (401, 200)
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert "client_secret" not in revoked.json()
    assert again.status_code == 409
    assert after_revoke == 401
    assert unknown.status_code == 404
    assert [e["action"] for e in audit.json()["items"]] == [
        "client.revoked",
        "client.secret_rotated",
        "client.registered",
    ]
    assert first not in audit.text
    assert second not in audit.text
    assert [c["client_id"] for c in revoked_list.json()["items"]] == [client_id]


async def test_programme_admin_and_operator_clients_stay_with_the_command_line(
    gateway_settings: Any, open_gateway: Any, gateway_key: tuple[Path, SigningKey]
) -> None:
    """Through the API a programme administrator could otherwise take an operator's secret."""
    settings = gateway_settings()
    from gateway.cli.clients import add_client

    operator, _ = await add_client(settings, name="Ops", role="operator", scope=Scope())
    async with open_gateway(settings) as (client, _):
        where = f"{CLIENTS}/{operator.client_id}"
        rotate = await client.post(
            f"{where}/rotate-secret", headers={**admin(gateway_key[1]), "If-Match": '"1"'}
        )
        revoke = await client.post(
            f"{where}/revoke", headers={**admin(gateway_key[1]), "If-Match": '"1"'}
        )
        read = await client.get(where, headers=admin(gateway_key[1]))
    assert (rotate.status_code, revoke.status_code, read.status_code) == (403, 403, 200)


async def test_clients_are_listed_in_pages(
    gateway_settings: Any, open_gateway: Any, gateway_key: tuple[Path, SigningKey]
) -> None:
    settings = gateway_settings()
    async with open_gateway(settings) as (client, _):
        for number in range(5):
            answer = await client.post(
                CLIENTS,
                json={"name": f"Analyst {number}", "role": "analyst"},
                headers=admin(gateway_key[1]),
            )
            assert answer.status_code == 201
        seen: list[str] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = await client.get(CLIENTS, params=params, headers=admin(gateway_key[1]))
            assert page.status_code == 200
            seen += [c["name"] for c in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                break
            assert 'rel="next"' in page.headers["link"]
        bad = await client.get(
            CLIENTS, params={"cursor": "nonsense"}, headers=admin(gateway_key[1])
        )
        unknown = await client.get(CLIENTS, params={"sort": "name"}, headers=admin(gateway_key[1]))
    assert seen == [f"Analyst {n}" for n in range(5)]
    assert bad.status_code == 400
    assert unknown.status_code in (400, 422)


async def test_roles_get_exactly_what_the_policy_grants(
    gateway_settings: Any, open_gateway: Any, gateway_key: tuple[Path, SigningKey]
) -> None:
    settings = gateway_settings()
    own = {
        op["operationId"]
        for _, path, op in operations(create_app(settings).openapi())
        if path.startswith("/gateway/")
    }
    assert own == set(POLICY)
    async with open_gateway(settings) as (client, app):
        failures = await policy_matrix(
            client,
            app.openapi(),
            POLICY,
            lambda role: token(gateway_key[1], role, **_scope_for(role)),
            skip_unruled=True,
        )
    assert failures == []


def _scope_for(role: str) -> dict[str, Any]:
    scope = DEMO_SCOPES.get(role, Scope())
    return {k: v for k, v in vars(scope).items() if v is not None}


async def test_the_demo_clients_scopes_exist_in_the_catalogues_demo_data(
    catalogue_url: str, gateway_key: tuple[Path, SigningKey]
) -> None:
    """`load-demo` registers without asking (it runs before the catalogue starts in `make
    run`): its vendor and libraries are the catalogue's own demo data, which this keeps so."""
    assert set(DEMO_SCOPES) == set(ROLES)
    settings = GatewaySettings(catalogue_url=catalogue_url)
    async with httpx.AsyncClient() as http:
        directory = CatalogueDirectory.of(settings, http, lambda: gateway_key[1])
        for scope in DEMO_SCOPES.values():
            assert await directory.confirmed(scope) == scope


async def test_the_command_line_refuses_a_vendor_or_library_the_catalogue_does_not_know(
    gateway_db: str,
    tmp_path: Path,
    catalogue_url: str,
    gateway_key: tuple[Path, SigningKey],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in (
        ("GATEWAY_DATABASE_URL", gateway_db),
        ("GATEWAY_DATA_DIR", str(tmp_path)),
        ("GATEWAY_LOG_FORMAT", "json"),
        ("GATEWAY_SIGNING_KEY_FILE", str(gateway_key[0])),
        ("GATEWAY_CATALOGUE_URL", catalogue_url),
    ):
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["clients", "add", "--name", "x", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    # In threads: each command runs its own event loop, as it does from a shell.
    ghost = await asyncio.to_thread(run, "--role", "vendor", "--vendor-id", str(uuid.uuid4()))
    no_library = await asyncio.to_thread(run, "--role", "staff", "--isil", "NO-9999999")
    known = await asyncio.to_thread(run, "--role", "vendor", "--vendor-id", str(NORDLYS_LYDBOK))
    assert ghost[0] == 2
    assert "the catalogue has no vendor" in ghost[2]
    assert no_library[0] == 2
    assert "the catalogue has no library NO-9999999" in no_library[2]
    assert known[0] == 0, known[2]
    settings = GatewaySettings(database_url=gateway_db, data_dir=tmp_path)
    assert [c.vendor_id for c in await registered_clients(settings)] == [NORDLYS_LYDBOK]
    # The command line's changes are in the trail too, by the operator's login.
    async with Database(settings) as db, db.reader() as session:
        (entry,) = (await session.execute(select(audit_log))).mappings().all()
    assert entry["action"] == "client.registered"
    assert entry["actor"].startswith("command-line:")
    assert known[1].split("client_secret:")[1].strip() not in str(entry["changes"])
