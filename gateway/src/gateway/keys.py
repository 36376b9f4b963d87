"""Token signing keys: their life cycle in the gateway's database, encrypted at rest, and the ring
of keys each replica signs and verifies with, re-read so that a rotation needs no restart."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import AuthError
from chassis.db import Database
from chassis.types import utcnow
from gateway.models import SigningKeyRecord
from gateway.settings import GatewaySettings

log = structlog.get_logger("gateway.keys")

ALGORITHM = "RS256"
KEY_SIZE = 2048
NEXT, CURRENT, RETIRING, DROPPED = "next", "current", "retiring", "dropped"
# A token naming a kid this replica does not hold makes it re-read the keys at most this often:
# another replica may have just activated one (only with --force, else it is published long
# before), and made-up kids must not turn into a stream of queries.
UNKNOWN_KID_RELOAD_SECONDS = 1.0
_NONCE_BYTES = 12
_HKDF_INFO = b"library-platform gateway signing keys v1"


class KeyRefused(Exception):
    """A key operation that cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True)
class SigningKey:
    """The private key, its id (the RFC 7638 thumbprint, so it changes exactly when the key does)
    and its public half as a JWK."""

    private_key: rsa.RSAPrivateKey
    kid: str
    public_jwk: dict[str, Any]

    @classmethod
    def from_private_key(cls, key: rsa.RSAPrivateKey) -> SigningKey:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        kid = _thumbprint(jwk)
        jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
        return cls(private_key=key, kid=kid, public_jwk=jwk)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls.from_private_key(
            rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        )

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}


def _thumbprint(jwk: dict[str, Any]) -> str:
    # RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _der(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


# ---------------------------------------------------------------- the key file


def load_signing_key(path: Path) -> SigningKey:
    """The key in `path`; when the file does not exist, a new RSA key written there (mode 0600)."""
    if not path.exists():
        _generate(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}; RS256 needs an RSA private key")
    return SigningKey.from_private_key(key)


def _generate(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a private temporary file, then linked into place: a process starting at the same
    # time (the gateway and `make token`) either finds no key or a whole one, never half a file,
    # and the first key linked wins, so both sign with the same key.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # left by a crashed process that had this pid
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# ---------------------------------------------------------------- encryption at rest


class KeyCipher:
    """Seals private keys for the database: AES-256-GCM under a key derived (HKDF-SHA256) from
    the key-encryption secret, with the kid as associated data, so a sealed key copied onto
    another row does not open."""

    def __init__(self, secret: bytes) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
            secret
        )
        self._aead = AESGCM(derived)

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> KeyCipher:
        """From GATEWAY_KEY_ENCRYPTION_KEY, else from the key file (generated when missing)."""
        if settings.key_encryption_key is not None:
            return cls(settings.key_encryption_key.get_secret_value().encode())
        seed = load_signing_key(settings.resolved_signing_key_file())
        return cls(_der(seed.private_key))

    def seal(self, key: SigningKey) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, _der(key.private_key), key.kid.encode())

    def open(self, kid: str, sealed: bytes) -> SigningKey:
        try:
            der = self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], kid.encode())
        except InvalidTag as exc:
            raise KeyRefused(
                f"the private key of {kid} does not decrypt: this process has another key-"
                "encryption key (GATEWAY_KEY_ENCRYPTION_KEY, or the key file it is derived "
                "from) than the one that stored it"
            ) from exc
        private = serialization.load_der_private_key(der, password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise KeyRefused(f"the key {kid} is not an RSA key")
        key = SigningKey.from_private_key(private)
        if key.kid != kid:
            raise KeyRefused(f"the key stored as {kid} has the thumbprint {key.kid}")
        return key


# ---------------------------------------------------------------- the life cycle


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


def key_state(record: SigningKeyRecord, now: datetime) -> str:
    """The state as the key set sees it: a retiring key past its drop time is dropped."""
    if record.state == RETIRING and record.drop_after is not None and record.drop_after <= now:
        return DROPPED
    return record.state


async def signing_keys(session: AsyncSession) -> list[SigningKeyRecord]:
    """Every stored key, oldest first."""
    rows = await session.scalars(
        select(SigningKeyRecord).order_by(SigningKeyRecord.created_at, SigningKeyRecord.kid)
    )
    return list(rows)


def _record(key: SigningKey, cipher: KeyCipher, state: str, now: datetime) -> SigningKeyRecord:
    return SigningKeyRecord(
        kid=key.kid,
        state=state,
        public_jwk=key.public_jwk,
        private_key=cipher.seal(key),
        created_at=now,
        activated_at=now if state == CURRENT else None,
    )


async def _find(session: AsyncSession, kid: str) -> SigningKeyRecord:
    record = await session.get(SigningKeyRecord, kid)
    if record is None:
        raise KeyRefused(f"no key {kid}; `python -m gateway keys list` shows them")
    return record


async def _in_state(session: AsyncSession, state: str) -> SigningKeyRecord | None:
    found: SigningKeyRecord | None = await session.scalar(
        select(SigningKeyRecord).where(SigningKeyRecord.state == state)
    )
    return found


async def add_key(
    session: AsyncSession, cipher: KeyCipher, *, now: datetime | None = None
) -> SigningKeyRecord:
    """A new key, published from now on as the next one; it does not sign yet."""
    waiting = await _in_state(session, NEXT)
    if waiting is not None:
        raise KeyRefused(
            f"{waiting.kid} is already waiting as the next key; activate it, or retire it first"
        )
    key = await asyncio.to_thread(SigningKey.generate)
    record = _record(key, cipher, NEXT, now or utcnow())
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
    replaced = await _in_state(session, CURRENT)
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


async def ensure_current_key(db: Database, cipher: KeyCipher, seed: SigningKey | None) -> None:
    """On a database without keys, store `seed` (or a new key) as the signing key.

    Replicas starting together on an empty database race here; the primary key (the same seed)
    or the one-current-key index lets one win, and the others find its key.
    """
    async with db.reader() as session:
        if await _in_state(session, CURRENT) is not None:
            return
    try:
        async with db.writer() as session, session.begin():
            if await _in_state(session, CURRENT) is not None:
                return
            if await session.scalar(select(SigningKeyRecord.kid).limit(1)) is not None:
                # On PostgreSQL (read committed) each statement sees the latest commit: a key
                # that appeared since the check above may be the one another replica just made
                # current, so look again before calling the table inconsistent.
                if await _in_state(session, CURRENT) is not None:
                    return
                raise KeyRefused(
                    "there are signing keys but none is current; activate one with "
                    "`python -m gateway keys activate <kid> --force`"
                )
            key = seed if seed is not None else await asyncio.to_thread(SigningKey.generate)
            session.add(_record(key, cipher, CURRENT, utcnow()))
            log.info("signing_key_created", kid=key.kid, seeded=seed is not None)
    except IntegrityError:
        log.info("signing_key_created_elsewhere")


def seed_key(settings: GatewaySettings) -> SigningKey | None:
    """The key that starts an empty key table: the key file when there is one or when nothing
    else protects the keys (the file then also derives the key-encryption key), else None (a
    fresh key, and no private key on disk)."""
    path = settings.resolved_signing_key_file()
    if settings.signing_key_file is None and settings.key_encryption_key is not None:
        return load_signing_key(path) if path.exists() else None
    return load_signing_key(path)


async def current_signing_key(db: Database, cipher: KeyCipher) -> SigningKey:
    """The key that signs now, decrypted."""
    async with db.reader() as session:
        record = await _in_state(session, CURRENT)
    if record is None or record.private_key is None:
        raise KeyRefused("there is no current signing key")
    return await asyncio.to_thread(cipher.open, record.kid, record.private_key)


def _span(delta: timedelta) -> str:
    seconds = max(0, math.ceil(delta.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


# ---------------------------------------------------------------- the ring of one replica


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
