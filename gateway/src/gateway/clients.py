"""Registered API clients: registration with a one-time secret, secret rotation, revocation,
listing, and authentication."""

from __future__ import annotations

import asyncio
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import ROLES
from chassis.types import utcnow
from gateway.models import ApiClient
from gateway.scopes import Scope, scope_misfit

NAME_MAX_LENGTH = 200
CLIENT_ID_MAX_LENGTH = 64
GRACE_MAX = timedelta(days=30)
_SLUG_MAX_LENGTH = 40


class ClientError(ValueError):
    """A registration that cannot be stored as given."""


# Letters that Unicode does not decompose into a base letter and a mark.
_TRANSLITERATION = str.maketrans({"æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ß": "ss"})


def _slug(name: str) -> str:
    ascii_name = (
        unicodedata.normalize("NFKD", name.translate(_TRANSLITERATION))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:_SLUG_MAX_LENGTH].rstrip("-") or "client"


def new_client_id(name: str) -> str:
    """Readable in logs (the name's slug) and unique (48 random bits)."""
    return f"{_slug(name)}-{secrets.token_hex(6)}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


async def register_client(
    session: AsyncSession, *, name: str, role: str, scope: Scope, hasher: PasswordHasher
) -> tuple[ApiClient, str]:
    """Store a new client with the hash of a fresh secret; the secret is returned only here."""
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ClientError(f"name must have 1 to {NAME_MAX_LENGTH} characters")
    if role not in ROLES:
        raise ClientError(f"role must be one of: {', '.join(sorted(ROLES))}")
    misfit = scope_misfit(role, scope)
    if misfit is not None:
        raise ClientError(misfit)
    secret = new_secret()
    client = ApiClient(
        client_id=new_client_id(name),
        name=name,
        role=role,
        county=scope.county,
        vendor_id=scope.vendor_id,
        isil=scope.isil,
        secret_hash=await asyncio.to_thread(hasher.hash, secret),
        created_at=utcnow(),
    )
    session.add(client)
    await session.flush()
    return client, secret


async def list_clients(session: AsyncSession) -> list[ApiClient]:
    rows = await session.scalars(select(ApiClient).order_by(ApiClient.created_at))
    return list(rows)


async def clients_named(session: AsyncSession, names: list[str]) -> dict[str, ApiClient]:
    rows = await session.scalars(select(ApiClient).where(ApiClient.name.in_(names)))
    return {client.name: client for client in rows}


async def find_client(session: AsyncSession, client_id: str) -> ApiClient | None:
    # Ids are printable ASCII (new_client_id); anything else cannot match, and a NUL byte
    # would be refused by PostgreSQL with an error rather than a miss.
    if not client_id or len(client_id) > CLIENT_ID_MAX_LENGTH or not client_id.isprintable():
        return None
    return await session.get(ApiClient, client_id)


async def _registered(session: AsyncSession, client_id: str) -> ApiClient:
    client = await find_client(session, client_id)
    if client is None:
        raise ClientError(f"no client {client_id!r}; `clients list` shows them")
    return client


async def rotate_secret(
    session: AsyncSession,
    client_id: str,
    *,
    hasher: PasswordHasher,
    grace: timedelta = timedelta(0),
    now: datetime | None = None,
) -> tuple[ApiClient, str]:
    """A new secret for the client, returned only here. The old one stops working at once, or,
    with a `grace` period, when it ends: a client deployed in several places can switch over."""
    if not timedelta(0) <= grace <= GRACE_MAX:
        raise ClientError(f"the grace period is at most {GRACE_MAX.days} days")
    now = now or utcnow()
    client = await _registered(session, client_id)
    if client.revoked_at is not None:
        raise ClientError(f"{client_id} is revoked; register a new client instead")
    secret = new_secret()
    if grace:
        client.previous_secret_hash = client.secret_hash
        client.previous_secret_until = now + grace
    else:
        client.previous_secret_hash = None
        client.previous_secret_until = None
    client.secret_hash = await asyncio.to_thread(hasher.hash, secret)
    await session.flush()
    return client, secret


async def revoke_client(
    session: AsyncSession, client_id: str, *, now: datetime | None = None
) -> ApiClient:
    """The client gets no new tokens from now on; the tokens it holds expire by themselves."""
    client = await _registered(session, client_id)
    if client.revoked_at is not None:
        raise ClientError(
            f"{client_id} has been revoked since {client.revoked_at:%Y-%m-%dT%H:%M:%SZ}"
        )
    client.revoked_at = now or utcnow()
    client.previous_secret_hash = None
    client.previous_secret_until = None
    await session.flush()
    return client


def client_scope(client: ApiClient) -> Scope:
    return Scope(county=client.county, vendor_id=client.vendor_id, isil=client.isil)


class SecretChecksBusy(Exception):
    """As many client secrets are being checked and waiting as the gateway allows."""


class SecretChecker:
    """Verifies client secrets against their argon2 hashes, off the event loop.

    An unknown client id is checked against a stand-in hash, so that the answer takes as long as
    for a known one and response times do not tell which client ids exist.
    """

    def __init__(self, hasher: PasswordHasher, *, at_once: int = 2, waiting: int = 32) -> None:
        self._hasher = hasher
        self._stand_in: str | None = None
        # Wrong secrets cost what right ones do, so their cost is bounded here, whoever sends
        # them: `at_once` checks run, `waiting` more queue, the rest are refused at once
        # (60 concurrent wrong secrets took the gateway to 522 MiB and 7 s answers unbounded).
        self._slots = asyncio.Semaphore(at_once)
        self._room = at_once + waiting
        self._in = 0

    def _matches(self, stored: str | None, secret: str) -> bool:
        if stored is None:
            if self._stand_in is None:
                self._stand_in = self._hasher.hash(new_secret())
            stored = self._stand_in
        try:
            return self._hasher.verify(stored, secret)
        except (VerificationError, InvalidHashError):
            return False

    async def check(self, client: ApiClient | None, secret: str) -> ApiClient | None:
        """The client when it exists, the secret matches (the current one, or the previous one
        within its grace period) and it is not revoked; else None."""
        if self._in >= self._room:
            raise SecretChecksBusy("Too many client authentications at once; try again shortly")
        self._in += 1
        try:
            async with self._slots:
                return await self._check(client, secret)
        finally:
            self._in -= 1

    async def _check(self, client: ApiClient | None, secret: str) -> ApiClient | None:
        stored = client.secret_hash if client is not None else None
        # The argon2 check is slow on purpose (tens of milliseconds): a worker thread keeps the
        # event loop serving the other requests meanwhile.
        matches = await asyncio.to_thread(self._matches, stored, secret)
        if (
            not matches
            and client is not None
            and client.previous_secret_hash is not None
            and client.previous_secret_until is not None
            and utcnow() < client.previous_secret_until
        ):
            matches = await asyncio.to_thread(self._matches, client.previous_secret_hash, secret)
        if client is None or not matches or client.revoked_at is not None:
            return None
        return client
