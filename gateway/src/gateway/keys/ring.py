"""The keys one replica signs, publishes and verifies with, re-read so a rotation needs no restart."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from dataclasses import dataclass
from typing import Any

import jwt
import structlog
from sqlalchemy.exc import SQLAlchemyError

from chassis.auth import AuthError
from chassis.db import Database
from chassis.types import utcnow
from gateway.keys.bootstrap import ensure_current_key, seed_key
from gateway.keys.errors import KeyRefused
from gateway.keys.records import CURRENT, NEXT, RETIRING, key_state, signing_keys
from gateway.keys.sealing import KeyCipher
from gateway.keys.signing_key import SigningKey
from gateway.settings import GatewaySettings

log = structlog.get_logger("gateway.keys")

# A token naming a kid this replica does not hold makes it re-read the keys at most this often:
# another replica may have just activated one (only with --force, else it is published long
# before), and made-up kids must not turn into a stream of queries.
UNKNOWN_KID_RELOAD_SECONDS = 1.0


@dataclass(frozen=True)
class _Snapshot:
    signing: SigningKey
    jwks: dict[str, Any]
    verifying: dict[str, jwt.PyJWK]


class KeyRing:
    """The keys one replica signs with (the current one) and publishes and verifies with (next,
    current and retiring), read from the database at start and every `refresh_seconds`.

    It is the gateway's own key source for the kit's TokenVerifier: the edge verifies the
    gateway's tokens in process, with what the key set publishes.
    """

    def __init__(self, db: Database, cipher: KeyCipher, *, refresh_seconds: float) -> None:
        self._db = db
        self._cipher = cipher
        self._refresh_seconds = refresh_seconds
        self._snapshot: _Snapshot | None = None
        self._task: asyncio.Task[None] | None = None
        self._reloaded_at = -math.inf
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, settings: GatewaySettings, db: Database) -> KeyRing:
        """The ring of a starting gateway: keys created on an empty database, then read."""
        cipher = await asyncio.to_thread(KeyCipher.from_settings, settings)
        seed = await asyncio.to_thread(seed_key, settings)
        await ensure_current_key(db, cipher, seed)
        ring = cls(db, cipher, refresh_seconds=settings.key_refresh_seconds)
        await ring.reload()
        ring._task = asyncio.create_task(ring._follow(), name="gateway-key-ring")
        return ring

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.reload()
            except Exception as exc:
                # Whatever failed, the keys held stay in use and the loop goes on: a database
                # blip must not stop token issuing, nor leave this replica deaf to rotations.
                log.warning("signing_keys_reload_failed", reason=str(exc) or repr(exc))

    async def reload(self) -> None:
        """Read the keys again; the snapshot changes only when the read succeeds."""
        async with self._lock:
            self._reloaded_at = time.monotonic()
            async with self._db.reader() as session:
                records = await signing_keys(session)
            now = utcnow()
            published = [r for r in records if key_state(r, now) in (NEXT, CURRENT, RETIRING)]
            current = next((r for r in published if r.state == CURRENT), None)
            if current is None or current.private_key is None:
                raise KeyRefused("there is no current signing key")
            previous = self._snapshot
            if previous is not None and previous.signing.kid == current.kid:
                signing = previous.signing
            else:
                signing = await asyncio.to_thread(
                    self._cipher.open, current.kid, current.private_key
                )
                log.info(
                    "signing_key_in_use",
                    kid=signing.kid,
                    replaced=previous and previous.signing.kid,
                )
            verifying = {
                r.kid: (previous.verifying.get(r.kid) if previous else None)
                or jwt.PyJWK.from_dict(r.public_jwk)
                for r in published
            }
            self._snapshot = _Snapshot(
                signing=signing,
                jwks={"keys": [r.public_jwk for r in published]},
                verifying=verifying,
            )

    def _held(self) -> _Snapshot:
        if self._snapshot is None:
            raise RuntimeError("the key ring has not been loaded")
        return self._snapshot

    @property
    def signing_key(self) -> SigningKey:
        return self._held().signing

    def jwks(self) -> dict[str, Any]:
        """The published key set: next, current and retiring keys, public halves only."""
        return self._held().jwks

    async def key(self, kid: str) -> jwt.PyJWK:
        found = self._held().verifying.get(kid)
        if found is None and time.monotonic() - self._reloaded_at >= UNKNOWN_KID_RELOAD_SECONDS:
            with contextlib.suppress(SQLAlchemyError, OSError, KeyRefused):
                await self.reload()
            found = self._held().verifying.get(kid)
        if found is None:
            raise AuthError("invalid_token", "The token was signed with an unknown key")
        return found

    def knows(self, kid: str) -> bool:
        return kid in self._held().verifying
