"""Signing-key rotation: the life cycle in the database, encryption at rest, replicas following it,
the command line, and a running service accepting the new key without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from chassis.db import Database
from chassis.testing import Databases
from chassis.types import utcnow
from gateway.app import create_app
from gateway.cli.main import main
from gateway.keys.bootstrap import ensure_current_key
from gateway.keys.errors import KeyRefused
from gateway.keys.lifecycle import KeyPolicy, activate_key, add_key, drop_expired, retire_key
from gateway.keys.records import CURRENT, DROPPED, NEXT, RETIRING, key_state, signing_keys
from gateway.keys.sealing import KeyCipher
from gateway.keys.signing_key import SigningKey
from gateway.models import SigningKeyRecord
from gateway.runtime import gateway_runtime
from gateway.scopes import Scope
from gateway.settings import GatewaySettings
from gateway.tokens import mint_token
from kpi.app import SPEC as KPI_SPEC
from kpi.app import create_app as create_kpi_app
from kpi.settings import KpiSettings

POLICY = KeyPolicy(
    refresh=timedelta(seconds=10),
    min_published=timedelta(seconds=310),
    keep_retired=timedelta(seconds=940),
)
CIPHER = KeyCipher(b"a key-encryption secret for the tests only")


def token_of(key: SigningKey, role: str = "analyst", **values: Any) -> str:
    return mint_token(
        key,
        issuer=values.pop("issuer", "http://127.0.0.1:8000"),
        audience="library-platform",
        subject=f"test-{role}",
        role=role,
        scope=Scope(),
        ttl_seconds=300,
    )


def _knows(app: Any, kid: str) -> bool:
    return gateway_runtime(app).keys.knows(kid)


def _signs_with(app: Any, kid: str) -> bool:
    return gateway_runtime(app).keys.signing_key.kid == kid


async def eventually(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    """Wait until `condition` holds: replicas re-read their keys on their own clock."""
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {within}s")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def keys_in(url: str) -> dict[str, SigningKeyRecord]:
    async with Database(GatewaySettings(database_url=url)) as db, db.reader() as session:
        return {record.kid: record for record in await signing_keys(session)}


async def test_the_first_start_stores_the_key_file_as_the_current_key_encrypted(
    gateway_db: str, gateway_settings: Any, open_gateway: Any, gateway_key: Any
) -> None:
    settings = gateway_settings(database_url=gateway_db)
    async with open_gateway(settings) as (http, app):
        published = (await http.get("/.well-known/jwks.json")).json()
        assert gateway_runtime(app).keys.signing_key.kid == gateway_key[1].kid
    (record,) = (await keys_in(gateway_db)).values()
    assert record.kid == gateway_key[1].kid
    assert record.state == CURRENT
    assert published == {"keys": [record.public_jwk]}
    assert record.private_key is not None
    der = gateway_key[1].private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert der[64:96] not in record.private_key, "the private key must not be stored in clear"
    opened = KeyCipher.from_settings(settings).open(record.kid, record.private_key)
    assert opened.kid == record.kid


def test_a_sealed_key_opens_only_with_its_secret_and_under_its_kid() -> None:
    key, other = SigningKey.generate(), SigningKey.generate()
    sealed = CIPHER.seal(key)
    assert CIPHER.open(key.kid, sealed).kid == key.kid
    with pytest.raises(KeyRefused, match="another key-encryption key"):
        KeyCipher(b"another secret, as long as a real one").open(key.kid, sealed)
    # Copied onto another key's row, it does not open: the kid is authenticated with it.
    with pytest.raises(KeyRefused):
        CIPHER.open(other.kid, sealed)


async def test_with_a_key_encryption_key_and_no_key_file_no_private_key_touches_the_disk(
    gateway_db: str, gateway_settings: Any, open_gateway: Any, tmp_path: Path
) -> None:
    settings = gateway_settings(
        database_url=gateway_db, signing_key_file=None, key_encryption_key="k" * 40
    )
    async with open_gateway(settings) as (http, app):
        kid = gateway_runtime(app).keys.signing_key.kid
        assert (await http.get("/.well-known/jwks.json")).json()["keys"][0]["kid"] == kid
    assert not settings.resolved_signing_key_file().exists()
    assert list(await keys_in(gateway_db)) == [kid]


async def test_a_key_is_published_before_it_signs_and_retires_after(gateway_db: str) -> None:
    start = utcnow()
    async with Database(GatewaySettings(database_url=gateway_db)) as db:
        await ensure_current_key(db, CIPHER, None)
        async with db.writer() as session, session.begin():
            first = (await signing_keys(session))[0]
            added = await add_key(session, CIPHER, now=start)
            with pytest.raises(KeyRefused, match="already waiting"):
                await add_key(session, CIPHER, now=start)
            with pytest.raises(KeyRefused, match="published for 1m40s only") as refused:
                await activate_key(session, added.kid, POLICY, now=start + timedelta(seconds=100))
            assert "--force" in str(refused.value)
            with pytest.raises(KeyRefused, match="only the next key"):
                await activate_key(session, first.kid, POLICY, now=start)
            later = start + POLICY.min_published
            replaced = await activate_key(session, added.kid, POLICY, now=later)
        async with db.reader() as session:
            records = {r.kid: r for r in await signing_keys(session)}
    assert replaced is not None
    assert replaced.kid == first.kid
    assert records[added.kid].state == CURRENT
    assert records[added.kid].activated_at == later
    old = records[first.kid]
    assert old.state == RETIRING
    assert old.private_key is None, "a retired key can never sign again"
    assert old.retired_at == later
    assert old.drop_after == later + POLICY.keep_retired
    assert key_state(old, later + POLICY.keep_retired - timedelta(seconds=1)) == RETIRING
    assert key_state(old, later + POLICY.keep_retired) == DROPPED


async def test_the_drop_time_covers_a_refresh_the_token_lifetime_and_the_leeway() -> None:
    policy = KeyPolicy.from_settings(
        GatewaySettings(
            token_ttl_seconds=600, key_refresh_seconds=5, jwks_cache_seconds=120, auth={}
        )
    )
    assert policy.min_published == timedelta(seconds=125)
    assert policy.keep_retired == timedelta(seconds=5 + 600 + 30)


async def test_force_activates_at_once_and_retire_withdraws_only_a_next_key(
    gateway_db: str,
) -> None:
    async with Database(GatewaySettings(database_url=gateway_db)) as db:
        await ensure_current_key(db, CIPHER, None)
        async with db.writer() as session, session.begin():
            first = (await signing_keys(session))[0]
            added = await add_key(session, CIPHER)
            await activate_key(session, added.kid, POLICY, force=True)
            withdrawn = await add_key(session, CIPHER)
            await retire_key(session, withdrawn.kid)
            with pytest.raises(KeyRefused, match="is the signing key"):
                await retire_key(session, added.kid)
            with pytest.raises(KeyRefused, match="retiring already"):
                await retire_key(session, first.kid)
            with pytest.raises(KeyRefused, match="no key"):
                await retire_key(session, "no-such-kid")
            assert await drop_expired(session) == []
            assert await drop_expired(session, now=utcnow() + POLICY.keep_retired) == [first.kid]
        assert list(await keys_in(gateway_db)) == [added.kid]


async def test_at_most_one_key_signs_and_one_waits(gateway_db: str) -> None:
    async def insert(db: Database, state: str) -> None:
        key = SigningKey.generate()
        async with db.writer() as session, session.begin():
            session.add(
                SigningKeyRecord(
                    kid=key.kid,
                    state=state,
                    public_jwk=key.public_jwk,
                    private_key=CIPHER.seal(key),
                    created_at=utcnow(),
                )
            )

    async with Database(GatewaySettings(database_url=gateway_db)) as db:
        await ensure_current_key(db, CIPHER, None)
        await insert(db, NEXT)
        for state in (CURRENT, NEXT):
            with pytest.raises(IntegrityError):
                await insert(db, state)


async def test_replicas_starting_together_on_an_empty_database_agree_on_one_key(
    gateway_db: str,
) -> None:
    async with (
        Database(GatewaySettings(database_url=gateway_db)) as first,
        Database(GatewaySettings(database_url=gateway_db)) as second,
    ):
        await asyncio.gather(
            ensure_current_key(first, CIPHER, SigningKey.generate()),
            ensure_current_key(second, CIPHER, SigningKey.generate()),
            ensure_current_key(first, CIPHER, None),
        )
    records = await keys_in(gateway_db)
    assert [r.state for r in records.values()] == [CURRENT]


async def test_two_replicas_follow_a_rotation_without_restart(
    gateway_db: str, gateway_settings: Any, open_gateway: Any, gateway_key: Any
) -> None:
    settings = gateway_settings(database_url=gateway_db, key_refresh_seconds=0.1)
    async with open_gateway(settings) as (one, one_app), open_gateway(settings) as (two, two_app):
        cipher = KeyCipher.from_settings(settings)
        async with Database(GatewaySettings(database_url=gateway_db)) as db:
            async with db.writer() as session, session.begin():
                added = await add_key(session, cipher)
            for app in (one_app, two_app):
                await eventually(partial(_knows, app, added.kid))
            for replica in (one, two):
                kids = [
                    k["kid"] for k in (await replica.get("/.well-known/jwks.json")).json()["keys"]
                ]
                assert kids == [gateway_key[1].kid, added.kid]
            # Published, not signing yet.
            assert gateway_runtime(one_app).keys.signing_key.kid == gateway_key[1].kid
            async with db.writer() as session, session.begin():
                await activate_key(
                    session, added.kid, KeyPolicy.from_settings(settings), force=True
                )
        for app in (one_app, two_app):
            await eventually(partial(_signs_with, app, added.kid))
        new_key = gateway_runtime(one_app).keys.signing_key
        # Tokens by the old key (retiring, until dropped) and by the new one pass either edge.
        for app in (one_app, two_app):
            for key in (gateway_key[1], new_key):
                principal = await gateway_runtime(app).verifier.verify(token_of(key))
                assert principal.roles == {"analyst"}


async def test_a_running_service_takes_a_new_key_and_refuses_a_dropped_one_without_restart(
    databases: Databases,
    gateway_db: str,
    gateway_settings: Any,
    serve: Any,
    gateway_key: Any,
) -> None:
    """The gateway and the kpi service over real HTTP: kpi fetches the gateway's key set."""
    gateway_app = create_app(
        gateway_settings(database_url=gateway_db, key_refresh_seconds=0.1, jwks_cache_seconds=1)
    )
    kpi_db = await databases.migrated("kpi", KPI_SPEC.alembic_ini)
    async with serve(gateway_app) as gateway_url:
        kpi_settings = KpiSettings(
            database_url=kpi_db,
            log_format="json",
            auth={
                "issuer": "http://127.0.0.1:8000",
                "jwks_url": f"{gateway_url}/.well-known/jwks.json",
                "jwks_cache_seconds": 1,
                "jwks_refresh_min_seconds": 0.2,
            },
        )
        async with serve(create_kpi_app(kpi_settings)) as kpi_url, httpx.AsyncClient() as http:

            async def kpi_answers(token: str) -> int:
                response = await http.get(f"{kpi_url}/v1/events", headers=bearer(token))
                return response.status_code

            old_key = gateway_runtime(gateway_app).keys.signing_key
            assert await kpi_answers(token_of(old_key)) == 200

            # The safe sequence, at test speed: publish, wait the key set's cache time, activate.
            settings = gateway_runtime(gateway_app).settings
            async with Database(GatewaySettings(database_url=gateway_db)) as db:
                async with db.writer() as session, session.begin():
                    added = await add_key(session, KeyCipher.from_settings(settings))
                await asyncio.sleep(1.2)
                async with db.writer() as session, session.begin():
                    await activate_key(session, added.kid, KeyPolicy.from_settings(settings))
                runtime = gateway_runtime(gateway_app)
                await eventually(lambda: runtime.keys.signing_key.kid == added.kid)
                new_key = runtime.keys.signing_key
                assert await kpi_answers(token_of(new_key)) == 200
                assert await kpi_answers(token_of(old_key)) == 200  # retiring, still published

                # Time passes: the old key's last token has expired, and it is dropped.
                async with db.writer() as session, session.begin():
                    await session.execute(
                        update(SigningKeyRecord)
                        .where(SigningKeyRecord.kid == old_key.kid)
                        .values(drop_after=utcnow(), version=SigningKeyRecord.version + 1)
                    )
            await eventually(lambda: not runtime.keys.knows(old_key.kid))
            published = (await http.get(f"{gateway_url}/.well-known/jwks.json")).json()
            assert [k["kid"] for k in published["keys"]] == [new_key.kid]
            await asyncio.sleep(1.1)  # kpi's cached key set is stale now
            assert await kpi_answers(token_of(old_key)) == 401
            assert await kpi_answers(token_of(new_key)) == 200
            edge = await http.get(f"{gateway_url}/kpi/v1/events", headers=bearer(token_of(old_key)))
            assert edge.status_code == 401
    await databases.empty("kpi")


def _cli(monkeypatch: pytest.MonkeyPatch, url: str, data_dir: Path, key_file: Path) -> None:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", url)
    monkeypatch.setenv("GATEWAY_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GATEWAY_SIGNING_KEY_FILE", str(key_file))
    monkeypatch.setenv("GATEWAY_LOG_FORMAT", "json")


async def test_the_command_line_rotates_keys_safely(
    gateway_db: str,
    tmp_path: Path,
    gateway_key: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cli(monkeypatch, gateway_db, tmp_path, gateway_key[0])

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["keys", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    # In threads: each command runs its own event loop, as it does from a shell.
    code, out, _ = await asyncio.to_thread(run, "list")
    assert code == 0
    assert f"{gateway_key[1].kid} current" in " ".join(out.split())

    code, out, _ = await asyncio.to_thread(run, "rotate")
    assert code == 0
    added = next(kid for kid in (await keys_in(gateway_db)) if kid != gateway_key[1].kid)
    assert f"published {added} as the next key" in out
    assert "run `keys rotate` again after" in out

    code, out, err = await asyncio.to_thread(run, "activate", "--", added)
    assert code == 2
    assert "has been published for" in err
    assert "--force" in err
    code, _, err = await asyncio.to_thread(run, "add")
    assert code == 2
    assert "already waiting" in err

    code, out, _ = await asyncio.to_thread(run, "rotate", "--force")
    assert code == 0
    assert f"activated {added}" in out
    assert f"retiring {gateway_key[1].kid}: published until" in out

    code, out, _ = await asyncio.to_thread(run, "list")
    states = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:]}
    assert states == {gateway_key[1].kid: RETIRING, added: CURRENT}

    code, _, err = await asyncio.to_thread(run, "retire", "--", added)
    assert code == 2
    assert "is the signing key" in err

    code, out, _ = await asyncio.to_thread(run, "add")
    withdrawn = out.split()[1]
    code, out, _ = await asyncio.to_thread(run, "retire", "--", withdrawn)
    assert code == 0
    assert f"withdrew {withdrawn}" in out

    # The token command signs with the current key, not the key file.
    monkeypatch.setenv("GATEWAY_TOKEN_TTL_SECONDS", "600")
    assert await asyncio.to_thread(main, ["token", "--role", "operator"]) == 0
    assert jwt.get_unverified_header(capsys.readouterr().out.strip())["kid"] == added
    assert await asyncio.to_thread(main, ["token", "--role", "operator", "--ttl", "601"]) == 2
    assert "--ttl must be between 1 and 600" in capsys.readouterr().err


async def test_expired_keys_are_deleted_by_the_next_command(
    gateway_db: str,
    tmp_path: Path,
    gateway_key: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cli(monkeypatch, gateway_db, tmp_path, gateway_key[0])
    assert await asyncio.to_thread(main, ["keys", "rotate", "--force"]) == 0
    async with (
        Database(GatewaySettings(database_url=gateway_db)) as db,
        db.writer() as session,
        session.begin(),
    ):
        await session.execute(
            update(SigningKeyRecord)
            .where(SigningKeyRecord.state == RETIRING)
            .values(drop_after=utcnow(), version=SigningKeyRecord.version + 1)
        )
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["keys", "list"]) == 0
    out = capsys.readouterr().out
    assert f"dropped {gateway_key[1].kid}: its last token has expired" in out
    async with Database(GatewaySettings(database_url=gateway_db)) as db, db.reader() as session:
        left = list(await session.scalars(select(SigningKeyRecord.state)))
    assert left == [CURRENT]


def test_the_key_commands_say_when_the_database_is_not_migrated(
    tmp_path: Path,
    gateway_key: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cli(monkeypatch, f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", tmp_path, gateway_key[0])
    assert main(["keys", "list"]) == 2
    assert "Is it migrated (python -m gateway migrate)?" in capsys.readouterr().err
