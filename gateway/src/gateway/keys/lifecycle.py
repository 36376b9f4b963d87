"""The operator's key operations: add a next key, activate it, retire one, drop the expired."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.types import utcnow
from gateway.keys.errors import KeyRefused
from gateway.keys.records import (
    CURRENT,
    DROPPED,
    NEXT,
    RETIRING,
    key_in_state,
    key_state,
    new_record,
    signing_keys,
)
from gateway.keys.sealing import KeyCipher
from gateway.keys.signing_key import SigningKey
from gateway.models import SigningKeyRecord
from gateway.settings import GatewaySettings


@dataclass(frozen=True)
class KeyPolicy:
    """The times a rotation must respect, from the gateway's settings."""

    # How often replicas re-read the keys.
    refresh: timedelta
    # How long a key is published before it may sign: services cache the key set this long.
    min_published: timedelta
    # How long a retired key stays published: until its last token expired, everywhere.
    keep_retired: timedelta

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> KeyPolicy:
        refresh = timedelta(seconds=settings.key_refresh_seconds)
        return cls(
            refresh=refresh,
            # A replica may learn of the key only one refresh after it was added.
            min_published=timedelta(seconds=settings.jwks_cache_seconds) + refresh,
            # A replica may sign with the old key until its next refresh; that token lives
            # token_ttl_seconds, and verifiers accept it leeway_seconds longer.
            keep_retired=refresh
            + timedelta(seconds=settings.token_ttl_seconds + settings.auth.leeway_seconds),
        )


async def _find(session: AsyncSession, kid: str) -> SigningKeyRecord:
    record = await session.get(SigningKeyRecord, kid)
    if record is None:
        raise KeyRefused(f"no key {kid}; `python -m gateway keys list` shows them")
    return record


async def add_key(
    session: AsyncSession, cipher: KeyCipher, *, now: datetime | None = None
) -> SigningKeyRecord:
    """A new key, published from now on as the next one; it does not sign yet."""
    waiting = await key_in_state(session, NEXT)
    if waiting is not None:
        raise KeyRefused(
            f"{waiting.kid} is already waiting as the next key; activate it, or retire it first"
        )
    key = await asyncio.to_thread(SigningKey.generate)
    record = new_record(key, cipher, NEXT, now or utcnow())
    session.add(record)
    await session.flush()
    return record


async def activate_key(
    session: AsyncSession,
    kid: str,
    policy: KeyPolicy,
    *,
    force: bool = False,
    now: datetime | None = None,
) -> SigningKeyRecord | None:
    """Make the next key `kid` the signing key; the one it replaces starts retiring (its private
    half erased) and is returned. Refused while `kid` has been published for less than the key
    set's cache time, unless `force`: services that cached the key set before it would refuse
    its tokens until they fetch it again."""
    now = now or utcnow()
    record = await _find(session, kid)
    if record.state != NEXT:
        raise KeyRefused(f"{kid} is {key_state(record, now)}; only the next key can be activated")
    published = now - record.created_at
    if published < policy.min_published and not force:
        ready = record.created_at + policy.min_published
        raise KeyRefused(
            f"{kid} has been published for {_span(published)} only; services may still hold a "
            f"key set without it. Activate it after {ready:%Y-%m-%dT%H:%M:%SZ} "
            f"({_span(ready - now)} from now), or now with --force"
        )
    replaced = await key_in_state(session, CURRENT)
    if replaced is not None:
        replaced.state = RETIRING
        replaced.private_key = None
        replaced.retired_at = now
        replaced.drop_after = now + policy.keep_retired
        # Flushed first: the index allowing one current key checks each statement.
        await session.flush()
    record.state = CURRENT
    record.activated_at = now
    await session.flush()
    return replaced


async def retire_key(session: AsyncSession, kid: str, *, now: datetime | None = None) -> None:
    """Withdraw a next key that never signed: removed, so it can never sign."""
    now = now or utcnow()
    record = await _find(session, kid)
    state = key_state(record, now)
    if state == CURRENT:
        raise KeyRefused(
            f"{kid} is the signing key; add and activate another one (`keys rotate`), and it "
            "retires by itself"
        )
    if state in (RETIRING, DROPPED):
        raise KeyRefused(f"{kid} is {state} already")
    await session.delete(record)
    await session.flush()


async def drop_expired(session: AsyncSession, *, now: datetime | None = None) -> list[str]:
    """Delete the retired keys whose last token has expired; their kids."""
    now = now or utcnow()
    expired = [r.kid for r in await signing_keys(session) if key_state(r, now) == DROPPED]
    if expired:
        await session.execute(delete(SigningKeyRecord).where(SigningKeyRecord.kid.in_(expired)))
    return expired


def _span(delta: timedelta) -> str:
    seconds = max(0, math.ceil(delta.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
