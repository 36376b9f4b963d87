"""`gateway clients add|list|show|rotate-secret|revoke`: the API clients of the token endpoint."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from argon2 import PasswordHasher
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import ROLES
from chassis.db import Database
from gateway.cli.output import database_refused, refuse, when
from gateway.cli.scope_options import add_scope_options, scope_of
from gateway.cli.token import signing_key_now
from gateway.clients import (
    ClientError,
    client_scope,
    find_client,
    list_clients,
    register_client,
    revoke_client,
    rotate_secret,
)
from gateway.directory import CatalogueDirectory, DirectoryUnavailable
from gateway.keys.errors import KeyRefused
from gateway.models import ApiClient
from gateway.onboarding.service import record, snapshot
from gateway.scopes import Scope, ScopeError, scope_misfit
from gateway.settings import GatewaySettings

# What each `clients` sub-command runs, bound to its parser as `run_action`.
ClientsAction = Callable[[GatewaySettings, argparse.Namespace], int]


async def add_client(
    settings: GatewaySettings, *, name: str, role: str, scope: Scope
) -> tuple[ApiClient, str]:
    """Register a client in the gateway's database; the secret is returned, only its hash kept."""
    async with (
        Database(settings) as db,
        db.writer() as session,
        session.begin(),
    ):
        client, secret = await register_client(
            session, name=name, role=role, scope=scope, hasher=PasswordHasher()
        )
        await _audited(session, "client.registered", client, None)
        return client, secret


# The trail's actor for the command line: the operator's login on the machine it ran on.
def _actor() -> str:
    return f"command-line:{os.environ.get('USER') or os.environ.get('LOGNAME') or 'unknown'}"


async def _audited(
    session: AsyncSession, action: str, client: ApiClient, before: dict[str, Any] | None
) -> None:
    await record(
        session,
        actor=_actor(),
        roles=["operator"],
        action=action,
        client=client,
        before=before,
        request_id=None,
    )


async def _rotate(session: AsyncSession, client_id: str, grace: timedelta) -> tuple[ApiClient, str]:
    found = await find_client(session, client_id)
    before = snapshot(found) if found is not None else None
    client, secret = await rotate_secret(session, client_id, hasher=PasswordHasher(), grace=grace)
    await _audited(session, "client.secret_rotated", client, before)
    return client, secret


async def _revoke(session: AsyncSession, client_id: str) -> ApiClient:
    found = await find_client(session, client_id)
    before = snapshot(found) if found is not None else None
    client = await revoke_client(session, client_id)
    await _audited(session, "client.revoked", client, before)
    return client


async def registered_clients(settings: GatewaySettings) -> list[ApiClient]:
    async with Database(settings) as db, db.reader() as session:
        return await list_clients(session)


async def _in_transaction(
    settings: GatewaySettings, work: Callable[[AsyncSession], Awaitable[Any]]
) -> Any:
    async with (
        Database(settings) as db,
        db.writer() as session,
        session.begin(),
    ):
        return await work(session)


def _status(client: ApiClient) -> str:
    return "revoked" if client.revoked_at is not None else "active"


def _print_clients(clients: list[ApiClient]) -> None:
    print(f"{'CLIENT ID':<54} {'ROLE':<16} {'SCOPE':<48} {'CREATED':<20} {'STATUS':<8} NAME")
    for client in clients:
        scoped = client_scope(client).describe()
        print(
            f"{client.client_id:<54} {client.role:<16} {scoped:<48} "
            f"{when(client.created_at):<20} {_status(client):<8} {client.name}"
        )


def _print_client(client: ApiClient) -> None:
    print(f"client_id:  {client.client_id}")
    print(f"name:       {client.name}")
    print(f"role:       {client.role}")
    print(f"scope:      {client_scope(client).describe()}")
    print(f"created:    {when(client.created_at)}")
    print(f"status:     {_status(client)}")
    if client.revoked_at is not None:
        print(f"revoked:    {when(client.revoked_at)}")
    if client.previous_secret_until is not None:
        print(f"old secret: accepted until {when(client.previous_secret_until)}")


async def confirmed_by_catalogue(settings: GatewaySettings, scope: Scope) -> Scope:
    """The scope as the catalogue knows it, asked with a token of the gateway's current key
    (UnknownScope when its vendor or library does not exist); a county is not asked."""
    if scope.vendor_id is None and scope.isil is None:
        return scope
    key = await signing_key_now(settings)
    async with httpx.AsyncClient() as http:
        return await CatalogueDirectory.of(settings, http, lambda: key).confirmed(scope)


def run_add(settings: GatewaySettings, args: argparse.Namespace) -> int:
    scope = scope_of(args)
    misfit = scope_misfit(args.role, scope)
    if misfit is not None:
        raise ClientError(misfit)
    try:
        scope = asyncio.run(confirmed_by_catalogue(settings, scope))
    except DirectoryUnavailable as exc:
        return refuse(
            f"cannot tell whether the scope exists: {exc} (catalogue at {settings.catalogue_url})"
        )
    except KeyRefused as exc:
        return refuse(str(exc))
    client, secret = asyncio.run(add_client(settings, name=args.name, role=args.role, scope=scope))
    print(f"client_id:     {client.client_id}")
    print(f"client_secret: {secret}")
    print("The secret is shown only now; the gateway keeps only its hash.", file=sys.stderr)
    return 0


def run_list(settings: GatewaySettings, args: argparse.Namespace) -> int:
    _print_clients(asyncio.run(registered_clients(settings)))
    return 0


def run_show(settings: GatewaySettings, args: argparse.Namespace) -> int:
    client = asyncio.run(_in_transaction(settings, lambda s: find_client(s, args.client_id)))
    if client is None:
        return refuse(f"no client {args.client_id!r}; `clients list` shows them")
    _print_client(client)
    return 0


def run_rotate_secret(settings: GatewaySettings, args: argparse.Namespace) -> int:
    grace = timedelta(seconds=args.grace_seconds)
    client, secret = asyncio.run(
        _in_transaction(
            settings,
            lambda s: _rotate(s, args.client_id, grace),
        )
    )
    print(f"client_id:     {client.client_id}")
    print(f"client_secret: {secret}")
    if client.previous_secret_until is not None:
        until = when(client.previous_secret_until)
        print(f"The old secret is accepted until {until}.", file=sys.stderr)
    else:
        print("The old secret no longer works.", file=sys.stderr)
    print("The secret is shown only now; the gateway keeps only its hash.", file=sys.stderr)
    return 0


def run_revoke(settings: GatewaySettings, args: argparse.Namespace) -> int:
    client = asyncio.run(_in_transaction(settings, lambda s: _revoke(s, args.client_id)))
    print(f"revoked {client.client_id} ({client.name}): the token endpoint refuses it from now")
    print("Tokens it already holds stay valid until they expire.", file=sys.stderr)
    return 0


def clients_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add",
        help="register a client; prints its id and secret once (a vendor or library must exist "
        "in the catalogue, which is asked)",
    )
    add.add_argument("--name", required=True, help="who the client is, e.g. Deichman website")
    add.add_argument("--role", required=True, choices=sorted(ROLES))
    add_scope_options(add)
    add.set_defaults(run_action=run_add)
    listing = actions.add_parser("list", help="list the registered clients (never their secrets)")
    listing.set_defaults(run_action=run_list)
    show = actions.add_parser("show", help="one client's registration and status")
    show.add_argument("client_id")
    show.set_defaults(run_action=run_show)
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
    rotate.set_defaults(run_action=run_rotate_secret)
    revoke = actions.add_parser("revoke", help="refuse the client any new token")
    revoke.add_argument("client_id")
    revoke.set_defaults(run_action=run_revoke)


def run_clients(settings: GatewaySettings, args: argparse.Namespace) -> int:
    """The chosen `clients` sub-command; the refusals they share answered in words."""
    action: ClientsAction = args.run_action
    try:
        return action(settings, args)
    except (ScopeError, ClientError) as exc:
        return refuse(str(exc))
    except DBAPIError as exc:
        return database_refused(exc)
