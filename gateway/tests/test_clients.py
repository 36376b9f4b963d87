"""Registering API clients and the command line: scopes, one-time secrets, demo clients, tokens."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Literal

import jwt
import pytest
from argon2 import PasswordHasher

from gateway.cli.clients import add_client, registered_clients
from gateway.cli.demo import DEMO_SCOPES, load_demo
from gateway.cli.main import main
from gateway.clients import ClientError, SecretChecker, SecretChecksBusy, new_client_id
from gateway.keys.signing_key import load_signing_key
from gateway.scopes import Scope, ScopeError, parse_scope
from gateway.settings import GatewaySettings

GATEWAY_DIR = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, Scope()),
        ({"county": "03"}, Scope(county="03")),
        ({"county": "46"}, Scope(county="46")),
        ({"isil": "NO-2030000"}, Scope(isil="NO-2030000")),
        ({"isil": "BE-ANT01"}, Scope(isil="BE-ANT01")),
        ({"isil": "NL-AmRMA"}, Scope(isil="NL-AmRMA")),
        ({"isil": "OCLC-ABC/12:3"}, Scope(isil="OCLC-ABC/12:3")),
        (
            {"vendor_id": "0193A5C2-7B4E-7D21-9F3A-2C6E8B1D4F70"},
            Scope(vendor_id=uuid.UUID("0193a5c2-7b4e-7d21-9f3a-2c6e8b1d4f70")),
        ),
    ],
)
def test_valid_scopes(given: dict[str, str], expected: Scope) -> None:
    assert parse_scope(**given) == expected


@pytest.mark.parametrize(
    "given",
    [
        {"county": "3"},
        {"county": "003"},
        {"county": "00"},
        {"county": "O3"},
        {"county": "03\n"},
        {"isil": "NO-2030000\n"},
        {"isil": "NO2030000"},
        {"isil": "NO-"},
        {"isil": "NO-2030000-12345"},
        {"isil": "NOR12-1"},
        {"isil": "NO-03 01"},
        {"vendor_id": "vendor-1"},
        {"county": "03", "isil": "NO-2030000"},
    ],
)
def test_invalid_scopes(given: dict[str, str]) -> None:
    with pytest.raises(ScopeError):
        parse_scope(**given)


def test_client_ids_are_readable_and_distinct() -> None:
    first, second = new_client_id("Bibliotek Bø website"), new_client_id("Bibliotek Bø website")
    assert first.startswith("bibliotek-bo-website-")
    assert first != second
    assert new_client_id("???").startswith("client-")


def _settings(url: str, data_dir: Path) -> GatewaySettings:
    return GatewaySettings(database_url=url, data_dir=data_dir, log_format="json")


async def test_registration_keeps_only_a_hash_and_lists_without_secrets(
    gateway_db: str, tmp_path: Path
) -> None:
    settings = _settings(gateway_db, tmp_path)
    client, secret = await add_client(
        settings, name="Deichman website", role="library", scope=Scope(isil="NO-2030000")
    )
    (listed,) = await registered_clients(settings)
    assert listed.client_id == client.client_id
    assert listed.isil == "NO-2030000"
    assert listed.revoked_at is None
    assert secret not in listed.secret_hash
    assert PasswordHasher().verify(listed.secret_hash, secret)
    with pytest.raises(ClientError):
        await add_client(settings, name="x", role="superuser", scope=Scope())
    with pytest.raises(ClientError):
        await add_client(settings, name="  ", role="library", scope=Scope())


@pytest.mark.parametrize(
    ("role", "scope", "reason"),
    [
        ("county_admin", Scope(), "the role county_admin needs --county"),
        ("county_admin", Scope(isil="NO-2030000"), "the role county_admin needs --county"),
        ("vendor", Scope(county="03"), "the role vendor needs --vendor-id"),
        ("library", Scope(vendor_id=uuid.UUID(int=1)), "the role library needs --isil"),
        ("staff", Scope(), "the role staff needs --isil"),
        ("programme_admin", Scope(county="03"), "the role programme_admin takes no scope"),
        ("operator", Scope(isil="NO-2030000"), "the role operator takes no scope"),
    ],
)
async def test_a_registration_whose_scope_does_not_fit_its_role_is_refused(
    gateway_db: str, tmp_path: Path, role: str, scope: Scope, reason: str
) -> None:
    """Issue 15, point 12: a vendor client without its vendor (or a county administrator scoped
    to a library) would get tokens that every service refuses or, worse, reads as unscoped."""
    settings = _settings(gateway_db, tmp_path)
    with pytest.raises(ClientError, match=reason):
        await add_client(settings, name="Misfit", role=role, scope=scope)
    assert await registered_clients(settings) == []


async def test_the_command_line_registers_and_lists_clients(
    gateway_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": gateway_db,
        "GATEWAY_DATA_DIR": str(tmp_path),
        "GATEWAY_LOG_FORMAT": "json",
    }
    added = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "gateway",
            "clients",
            "add",
            "--name",
            "Oslo county tool",
            "--role",
            "county_admin",
            "--county",
            "03",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    lines = dict(line.split(":", 1) for line in added.stdout.strip().splitlines())
    client_id, secret = lines["client_id"].strip(), lines["client_secret"].strip()
    assert len(secret) >= 43

    for name in ("GATEWAY_DATABASE_URL", "GATEWAY_DATA_DIR", "GATEWAY_LOG_FORMAT"):
        monkeypatch.setenv(name, env[name])
    # In a thread: the command runs its own event loop, as it does from a shell.
    assert await asyncio.to_thread(main, ["clients", "list"]) == 0
    refused = await asyncio.to_thread(
        main, ["clients", "add", "--name", "x", "--role", "vendor", "--vendor-id", "nope"]
    )
    listing = capsys.readouterr()
    assert client_id in listing.out
    assert "county=03" in listing.out
    assert secret not in listing.out
    assert refused == 2
    assert "vendor_id must be a UUID" in listing.err


async def test_demo_clients_are_registered_once_with_their_secrets_in_a_private_file(
    gateway_db: str, tmp_path: Path
) -> None:
    settings = _settings(gateway_db, tmp_path)
    created, existing = await load_demo(settings)
    again_created, again_existing = await load_demo(settings)

    assert sorted(created) == sorted(f"demo-{role}" for role in DEMO_SCOPES)
    assert existing == []
    assert again_created == []
    assert sorted(again_existing) == sorted(created)
    demo_file = tmp_path / "demo-clients.json"
    assert demo_file.stat().st_mode & 0o777 == 0o600
    saved = json.loads(demo_file.read_text())
    assert set(saved) == set(DEMO_SCOPES)
    assert saved["county_admin"]["county"] == "03"
    assert saved["library"]["isil"] == "NO-2030000"
    clients = {c.client_id: c for c in await registered_clients(settings)}
    for entry in saved.values():
        stored = clients[entry["client_id"]]
        assert PasswordHasher().verify(stored.secret_hash, entry["client_secret"])


def test_the_token_command_signs_with_the_embedded_runs_first_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As `make token` after `make run` migrated the data folder: the first key is the key file."""
    monkeypatch.setenv("GATEWAY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GATEWAY_LOG_FORMAT", "json")
    assert main(["migrate"]) == 0
    assert main(["token", "--role", "county_admin", "--county", "03", "--ttl", "120"]) == 0
    token = capsys.readouterr().out.strip()

    key = load_signing_key(tmp_path / "gateway-signing-key.pem")
    assert jwt.get_unverified_header(token)["kid"] == key.kid
    claims = jwt.decode(
        token, key.private_key.public_key(), algorithms=["RS256"], audience="library-platform"
    )
    assert claims["roles"] == ["county_admin"]
    assert claims["county"] == "03"
    assert claims["sub"] == "cli-county_admin"
    assert claims["exp"] - claims["iat"] == 120
    assert main(["token", "--role", "library", "--isil", "not an isil"]) == 2


def test_a_settings_default_signing_key_sits_in_the_data_folder(tmp_path: Path) -> None:
    settings: Any = GatewaySettings(data_dir=tmp_path)
    assert settings.resolved_signing_key_file() == tmp_path / "gateway-signing-key.pem"


async def test_the_command_line_rotates_secrets_revokes_and_shows_clients(
    gateway_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _settings(gateway_db, tmp_path)
    client, first = await add_client(
        settings, name="Bergen website", role="library", scope=Scope(isil="NO-2120100")
    )
    for name, value in (
        ("GATEWAY_DATABASE_URL", gateway_db),
        ("GATEWAY_DATA_DIR", str(tmp_path)),
        ("GATEWAY_LOG_FORMAT", "json"),
    ):
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["clients", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    # In threads: each command runs its own event loop, as it does from a shell.
    code, out, err = await asyncio.to_thread(run, "rotate-secret", client.client_id)
    assert code == 0
    second = dict(line.split(":", 1) for line in out.strip().splitlines())["client_secret"].strip()
    assert "The old secret no longer works." in err
    (stored,) = await registered_clients(settings)
    assert PasswordHasher().verify(stored.secret_hash, second)
    assert stored.previous_secret_hash is None
    assert second != first

    code, out, err = await asyncio.to_thread(
        run, "rotate-secret", client.client_id, "--grace-seconds", "3600"
    )
    assert code == 0
    assert "The old secret is accepted until" in err
    (stored,) = await registered_clients(settings)
    assert stored.previous_secret_hash is not None
    assert PasswordHasher().verify(stored.previous_secret_hash, second)
    code, out, _ = await asyncio.to_thread(run, "show", client.client_id)
    assert "old secret: accepted until" in out

    code, _, err = await asyncio.to_thread(
        run, "rotate-secret", client.client_id, "--grace-seconds", str(31 * 86_400)
    )
    assert code == 2
    assert "at most 30 days" in err

    code, out, err = await asyncio.to_thread(run, "revoke", client.client_id)
    assert code == 0
    assert f"revoked {client.client_id} (Bergen website)" in out
    code, _, err = await asyncio.to_thread(run, "revoke", client.client_id)
    assert code == 2
    assert "has been revoked since" in err
    code, _, err = await asyncio.to_thread(run, "rotate-secret", client.client_id)
    assert code == 2
    assert "is revoked; register a new client instead" in err

    code, out, _ = await asyncio.to_thread(run, "show", client.client_id)
    assert code == 0
    fields = dict(line.split(":", 1) for line in out.strip().splitlines())
    assert fields["status"].strip() == "revoked"
    assert fields["scope"].strip() == "isil=NO-2120100"
    assert "old secret" not in out, "revoking ends the grace period too"
    code, out, _ = await asyncio.to_thread(run, "list")
    (row,) = [line for line in out.splitlines() if client.client_id in line]
    assert " revoked " in row

    for action in ("show", "revoke", "rotate-secret"):
        code, _, err = await asyncio.to_thread(run, action, "no-such-client")
        assert code == 2
        assert "no client 'no-such-client'" in err


class _CountingHasher(PasswordHasher):
    """argon2 as the gateway uses it, with the number of checks running at once recorded."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.05)
            return super().verify(hash, password)
        finally:
            with self.lock:
                self.running -= 1


async def test_secret_checks_run_a_bounded_few_at_once_and_refuse_beyond_the_queue() -> None:
    hasher = _CountingHasher()
    checker = SecretChecker(hasher, at_once=2, waiting=3)
    outcomes = await asyncio.gather(
        *(checker.check(None, "a wrong secret") for _ in range(10)), return_exceptions=True
    )
    busy = [o for o in outcomes if isinstance(o, SecretChecksBusy)]
    # Two ran at a time, three waited their turn (all refused: no such client), five were
    # refused at once without touching argon2.
    assert (len(busy), outcomes.count(None), hasher.most) == (5, 5, 2)
    # Once the queue has drained, checks are accepted again.
    assert await checker.check(None, "again") is None
