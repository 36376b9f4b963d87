"""`gateway keys list|add|activate|retire|rotate`: the token signing keys' life cycle."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from chassis.types import utcnow
from gateway.cli.output import database_refused, refuse, when
from gateway.keys.bootstrap import ensure_current_key, seed_key
from gateway.keys.errors import KeyRefused
from gateway.keys.lifecycle import KeyPolicy, activate_key, add_key, drop_expired, retire_key
from gateway.keys.records import NEXT, key_state, signing_keys
from gateway.keys.sealing import KeyCipher
from gateway.models import SigningKeyRecord
from gateway.settings import GatewaySettings

# What each `keys` sub-command runs (in the transaction `_keys` opens), bound to its parser as
# `run_action`.
KeysAction = Callable[[AsyncSession, KeyCipher, KeyPolicy, argparse.Namespace], Awaitable[None]]


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


# Key ids are RFC 7638 thumbprints (base64url), so one may start with "-": it then goes after
# "--", as for any command line argument that looks like an option.
_KID_HELP = "the key's id, as `keys list` shows it (one that starts with - goes after --)"


def _print_keys(records: list[SigningKeyRecord]) -> None:
    now = utcnow()
    print(
        f"{'KID':<44} {'STATE':<9} {'PUBLISHED':<20} {'ACTIVATED':<20} {'RETIRED':<20} DROP AFTER"
    )
    for r in records:
        print(
            f"{r.kid:<44} {key_state(r, now):<9} {when(r.created_at):<20} "
            f"{when(r.activated_at):<20} {when(r.retired_at):<20} {when(r.drop_after)}"
        )


async def _activate(session: AsyncSession, kid: str, policy: KeyPolicy, *, force: bool) -> None:
    replaced = await activate_key(session, kid, policy, force=force)
    print(f"activated {kid}: replicas sign with it within {policy.refresh.total_seconds():g}s")
    if replaced is not None:
        print(f"retiring {replaced.kid}: published until {when(replaced.drop_after)}, then dropped")


async def run_list(
    session: AsyncSession, cipher: KeyCipher, policy: KeyPolicy, args: argparse.Namespace
) -> None:
    _print_keys(await signing_keys(session))


async def run_add(
    session: AsyncSession, cipher: KeyCipher, policy: KeyPolicy, args: argparse.Namespace
) -> None:
    added = await add_key(session, cipher)
    ready = added.created_at + policy.min_published
    print(f"published {added.kid} as the next key; it does not sign yet")
    print(f"activate it after {when(ready)}: keys activate {added.kid}")


async def run_activate(
    session: AsyncSession, cipher: KeyCipher, policy: KeyPolicy, args: argparse.Namespace
) -> None:
    await _activate(session, args.kid, policy, force=args.force)


async def run_retire(
    session: AsyncSession, cipher: KeyCipher, policy: KeyPolicy, args: argparse.Namespace
) -> None:
    await retire_key(session, args.kid)
    print(f"withdrew {args.kid}: it never signed and leaves the key set")


async def run_rotate(
    session: AsyncSession, cipher: KeyCipher, policy: KeyPolicy, args: argparse.Namespace
) -> None:
    waiting = next((r for r in await signing_keys(session) if r.state == NEXT), None)
    if waiting is None:
        added = await add_key(session, cipher)
        ready = added.created_at + policy.min_published
        print(f"published {added.kid} as the next key; it does not sign yet")
        print(f"run `keys rotate` again after {when(ready)} to make it sign")
        if not args.force:
            return
        waiting = added
    await _activate(session, waiting.kid, policy, force=args.force)


def keys_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="the signing keys and their states")
    listing.set_defaults(run_action=run_list)
    add = actions.add_parser("add", help="publish a new key as the next one; it does not sign yet")
    add.set_defaults(run_action=run_add)
    activate = actions.add_parser(
        "activate", help="make the next key the signing key; the current one starts retiring"
    )
    activate.add_argument("kid", help=_KID_HELP)
    activate.add_argument(
        "--force",
        action="store_true",
        help="even when published for less than the key set's cache time (services may refuse "
        "its tokens until they fetch the key set again)",
    )
    activate.set_defaults(run_action=run_activate)
    retire = actions.add_parser("retire", help="withdraw a next key that has never signed")
    retire.add_argument("kid", help=_KID_HELP)
    retire.set_defaults(run_action=run_retire)
    rotate = actions.add_parser(
        "rotate",
        help="the safe sequence: publish a next key; run again once it has been published long "
        "enough, and it signs",
    )
    rotate.add_argument("--force", action="store_true", help="activate the next key now")
    rotate.set_defaults(run_action=run_rotate)


def run_keys(settings: GatewaySettings, args: argparse.Namespace) -> int:
    """The chosen `keys` sub-command, in one transaction; its refusals answered in words."""
    policy = KeyPolicy.from_settings(settings)
    action: KeysAction = args.run_action
    try:
        asyncio.run(_keys(settings, lambda session, cipher: action(session, cipher, policy, args)))
    except KeyRefused as exc:
        return refuse(str(exc))
    except DBAPIError as exc:
        return database_refused(exc)
    return 0
