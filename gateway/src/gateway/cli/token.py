"""`gateway token`: a token signed with the key the running gateway signs with, for local use."""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy.exc import DBAPIError

from chassis.auth import ROLES
from chassis.db import Database
from gateway.cli.output import database_refused, refuse
from gateway.cli.scope_options import add_scope_options, scope_of
from gateway.keys.bootstrap import current_signing_key, ensure_current_key, seed_key
from gateway.keys.errors import KeyRefused
from gateway.keys.sealing import KeyCipher
from gateway.keys.signing_key import SigningKey
from gateway.scopes import ScopeError
from gateway.settings import GatewaySettings
from gateway.tokens import mint_token


def token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, choices=sorted(ROLES))
    add_scope_options(parser)
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
        scope = scope_of(args)
    except ScopeError as exc:
        return refuse(str(exc))
    ttl = args.ttl if args.ttl is not None else settings.token_ttl_seconds
    # No longer than the endpoint's tokens: a retired key stays published only that long.
    if not 1 <= ttl <= settings.token_ttl_seconds:
        return refuse(f"--ttl must be between 1 and {settings.token_ttl_seconds} seconds")
    try:
        key = asyncio.run(signing_key_now(settings))
    except KeyRefused as exc:
        return refuse(str(exc))
    except DBAPIError as exc:
        return database_refused(exc)
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
