"""The gateway's command line: serve, migrate, register and list clients, mint a token, demo clients."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from chassis.auth import ROLES
from chassis.cli import ExtraCommand, service_main
from chassis.db import Database
from chassis.service import ServiceSpec
from gateway.app import VERSION, create_app
from gateway.clients import (
    ClientError,
    client_scope,
    clients_named,
    list_clients,
    register_client,
)
from gateway.keys import load_signing_key
from gateway.models import ApiClient
from gateway.scopes import Scope, ScopeError, parse_scope
from gateway.settings import GatewaySettings
from gateway.tokens import mint_token

# service_main needs the name, the title and where the migrations are; the routes and the proxy
# come from create_app, so the spec lists no routers and no policy.
SPEC = ServiceSpec(
    name="gateway",
    title="Gateway",
    description="The platform's one address",
    version=VERSION,
    component_dir=Path(__file__).resolve().parents[2],
    routers=(),
    policy={},
)

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
        Database(settings.resolved_database_url()) as db,
        db.writer() as session,
        session.begin(),
    ):
        return await register_client(
            session, name=name, role=role, scope=scope, hasher=PasswordHasher()
        )


async def registered_clients(settings: GatewaySettings) -> list[ApiClient]:
    async with Database(settings.resolved_database_url()) as db, db.reader() as session:
        return await list_clients(session)


def _clients_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="register a client; prints its id and secret once")
    add.add_argument("--name", required=True, help="who the client is, e.g. Deichman website")
    add.add_argument("--role", required=True, choices=sorted(ROLES))
    _scope_arguments(add)
    actions.add_parser("list", help="list the registered clients (never their secrets)")


def run_clients(settings: GatewaySettings, args: argparse.Namespace) -> int:
    if args.action == "list":
        clients = asyncio.run(registered_clients(settings))
        print(f"{'CLIENT ID':<54} {'ROLE':<16} {'SCOPE':<48} {'CREATED':<20} {'STATUS':<8} NAME")
        for client in clients:
            status = "revoked" if client.revoked_at is not None else "active"
            created = client.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            scoped = client_scope(client).describe()
            print(
                f"{client.client_id:<54} {client.role:<16} {scoped:<48} {created:<20} "
                f"{status:<8} {client.name}"
            )
        return 0
    try:
        scope = _scope_of(args)
        client, secret = asyncio.run(
            add_client(settings, name=args.name, role=args.role, scope=scope)
        )
    except (ScopeError, ClientError) as exc:
        return _refuse(str(exc))
    print(f"client_id:     {client.client_id}")
    print(f"client_secret: {secret}")
    print("The secret is shown only now; the gateway keeps only its hash.", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- token


def _token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, choices=sorted(ROLES))
    _scope_arguments(parser)
    parser.add_argument("--ttl", type=int, help="lifetime in seconds (default: token_ttl_seconds)")
    parser.add_argument("--subject", help="the token's sub (default: cli-<role>)")


def run_token(settings: GatewaySettings, args: argparse.Namespace) -> int:
    """Mint a token with the signing key the running gateway uses (the same file)."""
    try:
        scope = _scope_of(args)
    except ScopeError as exc:
        return _refuse(str(exc))
    ttl = args.ttl if args.ttl is not None else settings.token_ttl_seconds
    if not 1 <= ttl <= 86_400:
        return _refuse("--ttl must be between 1 and 86400 seconds")
    token = mint_token(
        load_signing_key(settings.resolved_signing_key_file()),
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
        Database(settings.resolved_database_url()) as db,
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
                "register or list API clients", run_clients, _clients_arguments
            ),
            "token": ExtraCommand(
                "print a token signed with the gateway's key (for local use)",
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
