"""The gateway's command line: serve, migrate, API clients, signing keys, a token, demo clients."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import ROLES
from chassis.cli import ExtraCommand, service_main
from chassis.db import Database
from chassis.types import utcnow
from gateway.app import SPEC, create_app
from gateway.clients import (
    ClientError,
    client_scope,
    clients_named,
    find_client,
    list_clients,
    register_client,
    revoke_client,
    rotate_secret,
)
from gateway.keys import (
    NEXT,
    KeyCipher,
    KeyPolicy,
    KeyRefused,
    SigningKey,
    activate_key,
    add_key,
    current_signing_key,
    drop_expired,
    ensure_current_key,
    key_state,
    retire_key,
    seed_key,
    signing_keys,
)
from gateway.models import ApiClient, SigningKeyRecord
from gateway.scopes import Scope, ScopeError, parse_scope
from gateway.settings import GatewaySettings
from gateway.tokens import mint_token

DEMO_FILE = "demo-clients.json"
# One demo client per role; the scoped ones with real-looking values: Oslo's county number, a
# vendor id shaped like the catalogue's (UUIDv7), the public libraries of Oslo (Deichman) and
# Bergen, by their ISILs in the reference data.
DEMO_SCOPES: dict[str, Scope] = {
    "programme_admin": Scope(),
    "county_admin": Scope(county="03"),
    "vendor": Scope(vendor_id=uuid.UUID("0193a5c2-7b4e-7d21-9f3a-2c6e8b1d4f70")),
    "library": Scope(isil="NO-2030000"),
    "staff": Scope(isil="NO-2120100"),
    "trainer": Scope(),
    "agent": Scope(),
    "analyst": Scope(),
    "partner": Scope(),
    "operator": Scope(),
}


def _scope_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--county", help="two-digit county number, e.g. 03")
    group.add_argument("--vendor-id", help="the vendor's id (a UUID)")
    group.add_argument("--isil", help="the library's ISIL, e.g. NO-2030000")


def _scope_of(args: argparse.Namespace) -> Scope:
    return parse_scope(county=args.county, vendor_id=args.vendor_id, isil=args.isil)


def _refuse(message: str) -> int:
    print(f"gateway: {message}", file=sys.stderr)
    return 2


# ---------------------------------------------------------------- clients


async def add_client(
    settings: GatewaySettings, *, name: str, role: str, scope: Scope
) -> tuple[ApiClient, str]:
    """Register a client in the gateway's database; the secret is returned, only its hash kept."""
    async with (
        Database(settings) as db,
        db.writer() as session,
        session.begin(),
    ):
        return await register_client(
            session, name=name, role=role, scope=scope, hasher=PasswordHasher()
        )


async def registered_clients(settings: GatewaySettings) -> list[ApiClient]:
    async with Database(settings) as db, db.reader() as session:
        return await list_clients(session)


def _clients_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="register a client; prints its id and secret once")
    add.add_argument("--name", required=True, help="who the client is, e.g. Deichman website")
    add.add_argument("--role", required=True, choices=sorted(ROLES))
    _scope_arguments(add)
    actions.add_parser("list", help="list the registered clients (never their secrets)")
    show = actions.add_parser("show", help="one client's registration and status")
    show.add_argument("client_id")
    rotate = actions.add_parser(
        "rotate-secret", help="give a client a new secret (printed once); the old one stops working"
    )
    rotate.add_argument("client_id")
    rotate.add_argument(
        "--grace-seconds",
        type=int,
        default=0,
        help="keep accepting the old secret this long (default 0: it stops at once)",
    )
    revoke = actions.add_parser("revoke", help="refuse the client any new token")
    revoke.add_argument("client_id")


def _status(client: ApiClient) -> str:
    return "revoked" if client.revoked_at is not None else "active"


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def _in_transaction(
    settings: GatewaySettings, work: Callable[[AsyncSession], Awaitable[Any]]
) -> Any:
    async with (
        Database(settings) as db,
        db.writer() as session,
        session.begin(),
    ):
        return await work(session)


def _print_clients(clients: list[ApiClient]) -> None:
    print(f"{'CLIENT ID':<54} {'ROLE':<16} {'SCOPE':<48} {'CREATED':<20} {'STATUS':<8} NAME")
    for client in clients:
        scoped = client_scope(client).describe()
        print(
            f"{client.client_id:<54} {client.role:<16} {scoped:<48} "
            f"{_when(client.created_at):<20} {_status(client):<8} {client.name}"
        )


def _print_client(client: ApiClient) -> None:
    print(f"client_id:  {client.client_id}")
    print(f"name:       {client.name}")
    print(f"role:       {client.role}")
    print(f"scope:      {client_scope(client).describe()}")
    print(f"created:    {_when(client.created_at)}")
    print(f"status:     {_status(client)}")
    if client.revoked_at is not None:
        print(f"revoked:    {_when(client.revoked_at)}")
    if client.previous_secret_until is not None:
        print(f"old secret: accepted until {_when(client.previous_secret_until)}")


def run_clients(settings: GatewaySettings, args: argparse.Namespace) -> int:
    try:
        return _run_clients(settings, args)
    except (ScopeError, ClientError) as exc:
        return _refuse(str(exc))
    except DBAPIError as exc:
        return _database_refused(exc)


def _run_clients(settings: GatewaySettings, args: argparse.Namespace) -> int:
    if args.action == "list":
        _print_clients(asyncio.run(registered_clients(settings)))
        return 0
    if args.action == "show":
        client = asyncio.run(_in_transaction(settings, lambda s: find_client(s, args.client_id)))
        if client is None:
            return _refuse(f"no client {args.client_id!r}; `clients list` shows them")
        _print_client(client)
        return 0
    if args.action == "revoke":
        client = asyncio.run(_in_transaction(settings, lambda s: revoke_client(s, args.client_id)))
        print(f"revoked {client.client_id} ({client.name}): the token endpoint refuses it from now")
        print("Tokens it already holds stay valid until they expire.", file=sys.stderr)
        return 0
    if args.action == "rotate-secret":
        grace = timedelta(seconds=args.grace_seconds)
        client, secret = asyncio.run(
            _in_transaction(
                settings,
                lambda s: rotate_secret(s, args.client_id, hasher=PasswordHasher(), grace=grace),
            )
        )
        print(f"client_id:     {client.client_id}")
        print(f"client_secret: {secret}")
        if client.previous_secret_until is not None:
            until = _when(client.previous_secret_until)
            print(f"The old secret is accepted until {until}.", file=sys.stderr)
        else:
            print("The old secret no longer works.", file=sys.stderr)
        print("The secret is shown only now; the gateway keeps only its hash.", file=sys.stderr)
        return 0
    scope = _scope_of(args)
    client, secret = asyncio.run(add_client(settings, name=args.name, role=args.role, scope=scope))
    print(f"client_id:     {client.client_id}")
    print(f"client_secret: {secret}")
    print("The secret is shown only now; the gateway keeps only its hash.", file=sys.stderr)
    return 0


def _database_refused(exc: DBAPIError) -> int:
    return _refuse(f"the database refused: {exc.orig}. Is it migrated (python -m gateway migrate)?")


# ---------------------------------------------------------------- keys


def _keys_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the signing keys and their states")
    actions.add_parser("add", help="publish a new key as the next one; it does not sign yet")
    activate = actions.add_parser(
        "activate", help="make the next key the signing key; the current one starts retiring"
    )
    activate.add_argument("kid")
    activate.add_argument(
        "--force",
        action="store_true",
        help="even when published for less than the key set's cache time (services may refuse "
        "its tokens until they fetch the key set again)",
    )
    retire = actions.add_parser("retire", help="withdraw a next key that has never signed")
    retire.add_argument("kid")
    rotate = actions.add_parser(
        "rotate",
        help="the safe sequence: publish a next key; run again once it has been published long "
        "enough, and it signs",
    )
    rotate.add_argument("--force", action="store_true", help="activate the next key now")


async def _keys(
    settings: GatewaySettings, work: Callable[[AsyncSession, KeyCipher], Awaitable[Any]]
) -> Any:
    """Run `work` in one transaction, after the first key exists and expired keys are dropped."""
    cipher = await asyncio.to_thread(KeyCipher.from_settings, settings)
    seed = await asyncio.to_thread(seed_key, settings)
    async with Database(settings) as db:
        await ensure_current_key(db, cipher, seed)
        async with db.writer() as session, session.begin():
            for kid in await drop_expired(session):
                print(f"dropped {kid}: its last token has expired")
            return await work(session, cipher)


def _print_keys(records: list[SigningKeyRecord]) -> None:
    now = utcnow()
    print(
        f"{'KID':<44} {'STATE':<9} {'PUBLISHED':<20} {'ACTIVATED':<20} {'RETIRED':<20} DROP AFTER"
    )
    for r in records:
        print(
            f"{r.kid:<44} {key_state(r, now):<9} {_when(r.created_at):<20} "
            f"{_when(r.activated_at):<20} {_when(r.retired_at):<20} {_when(r.drop_after)}"
        )


async def _activate(session: AsyncSession, kid: str, policy: KeyPolicy, *, force: bool) -> None:
    replaced = await activate_key(session, kid, policy, force=force)
    print(f"activated {kid}: replicas sign with it within {policy.refresh.total_seconds():g}s")
    if replaced is not None:
        print(
            f"retiring {replaced.kid}: published until {_when(replaced.drop_after)}, then dropped"
        )


async def _rotate(
    session: AsyncSession, cipher: KeyCipher, policy: KeyPolicy, *, force: bool
) -> None:
    waiting = next((r for r in await signing_keys(session) if r.state == NEXT), None)
    if waiting is None:
        added = await add_key(session, cipher)
        ready = added.created_at + policy.min_published
        print(f"published {added.kid} as the next key; it does not sign yet")
        print(f"run `keys rotate` again after {_when(ready)} to make it sign")
        if not force:
            return
        waiting = added
    await _activate(session, waiting.kid, policy, force=force)


def run_keys(settings: GatewaySettings, args: argparse.Namespace) -> int:
    policy = KeyPolicy.from_settings(settings)

    async def work(session: AsyncSession, cipher: KeyCipher) -> None:
        if args.action == "list":
            _print_keys(await signing_keys(session))
        elif args.action == "add":
            added = await add_key(session, cipher)
            ready = added.created_at + policy.min_published
            print(f"published {added.kid} as the next key; it does not sign yet")
            print(f"activate it after {_when(ready)}: keys activate {added.kid}")
        elif args.action == "activate":
            await _activate(session, args.kid, policy, force=args.force)
        elif args.action == "retire":
            await retire_key(session, args.kid)
            print(f"withdrew {args.kid}: it never signed and leaves the key set")
        else:
            await _rotate(session, cipher, policy, force=args.force)

    try:
        asyncio.run(_keys(settings, work))
    except KeyRefused as exc:
        return _refuse(str(exc))
    except DBAPIError as exc:
        return _database_refused(exc)
    return 0


# ---------------------------------------------------------------- token


def _token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, choices=sorted(ROLES))
    _scope_arguments(parser)
    parser.add_argument("--ttl", type=int, help="lifetime in seconds (default: token_ttl_seconds)")
    parser.add_argument("--subject", help="the token's sub (default: cli-<role>)")


async def signing_key_now(settings: GatewaySettings) -> SigningKey:
    """The key the gateway signs with now (the first one created if there is none yet)."""
    cipher = await asyncio.to_thread(KeyCipher.from_settings, settings)
    seed = await asyncio.to_thread(seed_key, settings)
    async with Database(settings) as db:
        await ensure_current_key(db, cipher, seed)
        return await current_signing_key(db, cipher)


def run_token(settings: GatewaySettings, args: argparse.Namespace) -> int:
    """Mint a token with the key the running gateway signs with (from its database)."""
    try:
        scope = _scope_of(args)
    except ScopeError as exc:
        return _refuse(str(exc))
    ttl = args.ttl if args.ttl is not None else settings.token_ttl_seconds
    # No longer than the endpoint's tokens: a retired key stays published only that long.
    if not 1 <= ttl <= settings.token_ttl_seconds:
        return _refuse(f"--ttl must be between 1 and {settings.token_ttl_seconds} seconds")
    try:
        key = asyncio.run(signing_key_now(settings))
    except KeyRefused as exc:
        return _refuse(str(exc))
    except DBAPIError as exc:
        return _database_refused(exc)
    token = mint_token(
        key,
        issuer=settings.issuer,
        audience=settings.audience,
        subject=args.subject or f"cli-{args.role}",
        role=args.role,
        scope=scope,
        ttl_seconds=ttl,
    )
    print(token)
    return 0


# ---------------------------------------------------------------- demo


def _write_private_json(path: Path, content: dict[str, Any]) -> None:
    """Replace `path` with `content`, readable by its owner only, never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(content, file, indent=2, sort_keys=True)
        file.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


async def load_demo(settings: GatewaySettings) -> tuple[list[str], list[str]]:
    """Register the demo clients that do not exist yet; their secrets go to demo-clients.json.

    Returns the names created and the names that were there already. A secret cannot be shown
    again, so an existing demo client keeps the entry the file already has for it.
    """
    path = settings.data_dir / DEMO_FILE
    saved: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    names = {role: f"demo-{role}" for role in DEMO_SCOPES}
    created: list[str] = []
    async with (
        Database(settings) as db,
        db.writer() as session,
        session.begin(),
    ):
        existing = await clients_named(session, list(names.values()))
        hasher = PasswordHasher()
        for role, scope in DEMO_SCOPES.items():
            if names[role] in existing:
                continue
            client, secret = await register_client(
                session, name=names[role], role=role, scope=scope, hasher=hasher
            )
            saved[role] = {
                "name": client.name,
                "client_id": client.client_id,
                "client_secret": secret,
                "role": role,
                **scope.claims(),
            }
            created.append(client.name)
        # Written before the commit: should the file fail, no client exists without its secret.
        if created:
            _write_private_json(path, saved)
    return created, sorted(existing)


def run_load_demo(settings: GatewaySettings, args: argparse.Namespace) -> int:
    created, existing = asyncio.run(load_demo(settings))
    for name in created:
        print(f"created {name}")
    if existing:
        print(f"already registered: {', '.join(existing)}")
    if created:
        print(f"secrets of the new demo clients: {settings.data_dir / DEMO_FILE}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return service_main(
        SPEC,
        GatewaySettings,
        argv,
        extra={
            "clients": ExtraCommand(
                "register, list, show or revoke API clients; rotate their secrets",
                run_clients,
                _clients_arguments,
            ),
            "keys": ExtraCommand(
                "list, add, activate, retire or rotate the token signing keys",
                run_keys,
                _keys_arguments,
            ),
            "token": ExtraCommand(
                "print a token signed with the gateway's current key (for local use)",
                run_token,
                _token_arguments,
            ),
            "load-demo": ExtraCommand(
                "register one demo client per role (secrets in <data_dir>/demo-clients.json)",
                run_load_demo,
            ),
        },
        app_factory=create_app,
    )
