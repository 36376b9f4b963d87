"""The first signing key of an empty database, and the key that signs now."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chassis.db import Database
from chassis.types import utcnow
from gateway.keys.errors import KeyRefused
from gateway.keys.records import CURRENT, key_in_state, new_record
from gateway.keys.sealing import KeyCipher
from gateway.keys.signing_key import SigningKey, load_signing_key
from gateway.models import SigningKeyRecord
from gateway.settings import GatewaySettings

log = structlog.get_logger("gateway.keys")


def seed_key(settings: GatewaySettings) -> SigningKey | None:
    """The key that starts an empty key table: the key file when there is one or when nothing
    else protects the keys (the file then also derives the key-encryption key), else None (a
    fresh key, and no private key on disk)."""
    path = settings.resolved_signing_key_file()
    if settings.signing_key_file is None and settings.key_encryption_key is not None:
        return load_signing_key(path) if path.exists() else None
    return load_signing_key(path)


async def ensure_current_key(db: Database, cipher: KeyCipher, seed: SigningKey | None) -> None:
    """On a database without keys, store `seed` (or a new key) as the signing key.

    Replicas starting together on an empty database race here; the primary key (the same seed)
    or the one-current-key index lets one win, and the others find its key.
    """
    async with db.reader() as session:
        if await key_in_state(session, CURRENT) is not None:
            return
    try:
        async with db.writer() as session, session.begin():
            if await key_in_state(session, CURRENT) is not None:
                return
            if await session.scalar(select(SigningKeyRecord.kid).limit(1)) is not None:
                # On PostgreSQL (read committed) each statement sees the latest commit: a key
                # that appeared since the check above may be the one another replica just made
                # current, so look again before calling the table inconsistent.
                if await key_in_state(session, CURRENT) is not None:
                    return
                raise KeyRefused(
                    "there are signing keys but none is current; activate one with "
                    "`python -m gateway keys activate <kid> --force`"
                )
            key = seed if seed is not None else await asyncio.to_thread(SigningKey.generate)
            session.add(new_record(key, cipher, CURRENT, utcnow()))
            log.info("signing_key_created", kid=key.kid, seeded=seed is not None)
    except IntegrityError:
        log.info("signing_key_created_elsewhere")


async def current_signing_key(db: Database, cipher: KeyCipher) -> SigningKey:
    """The key that signs now, decrypted."""
    async with db.reader() as session:
        record = await key_in_state(session, CURRENT)
    if record is None or record.private_key is None:
        raise KeyRefused("there is no current signing key")
    return await asyncio.to_thread(cipher.open, record.kid, record.private_key)
