"""The stored signing keys: the states a key passes through, how a key is stored, how keys are read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.keys.sealing import KeyCipher
from gateway.keys.signing_key import SigningKey
from gateway.models import SigningKeyRecord

NEXT, CURRENT, RETIRING, DROPPED = "next", "current", "retiring", "dropped"


def key_state(record: SigningKeyRecord, now: datetime) -> str:
    """The state as the key set sees it: a retiring key past its drop time is dropped."""
    if record.state == RETIRING and record.drop_after is not None and record.drop_after <= now:
        return DROPPED
    return record.state


def new_record(key: SigningKey, cipher: KeyCipher, state: str, now: datetime) -> SigningKeyRecord:
    """`key` as a row to add, its private half sealed; a current key counts as activated now."""
    return SigningKeyRecord(
        kid=key.kid,
        state=state,
        public_jwk=key.public_jwk,
        private_key=cipher.seal(key),
        created_at=now,
        activated_at=now if state == CURRENT else None,
    )


async def signing_keys(session: AsyncSession) -> list[SigningKeyRecord]:
    """Every stored key, oldest first."""
    rows = await session.scalars(
        select(SigningKeyRecord).order_by(SigningKeyRecord.created_at, SigningKeyRecord.kid)
    )
    return list(rows)


async def key_in_state(session: AsyncSession, state: str) -> SigningKeyRecord | None:
    """The next or the current key (the database holds at most one of each), if there is one."""
    found: SigningKeyRecord | None = await session.scalar(
        select(SigningKeyRecord).where(SigningKeyRecord.state == state)
    )
    return found
