"""Offer content sealed for the database: AES-256-GCM under a key per round, derived (HKDF-SHA256,
the round's id as salt) from a secret the database does not hold; the offer's id and version
number are the associated data, so a sealed version copied onto another row does not open."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from catalogue_licensing.procurement.offers.errors import OfferUnreadable
from catalogue_licensing.settings import CatalogueSettings

_NONCE_BYTES = 12
_HKDF_INFO = b"library-platform catalogue offers v1"
# Rounds whose keys a process keeps derived (a round's key is needed for each of its offers).
_KEYS_KEPT = 256


class OfferSealer:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the offer sealing secret needs at least 32 bytes")
        self._secret = secret
        self._aead = lru_cache(maxsize=_KEYS_KEPT)(self._round_aead)

    @classmethod
    def from_settings(cls, settings: CatalogueSettings) -> OfferSealer:
        """From CATALOGUE_OFFER_SEALING_SECRET, else from the secret file (generated if missing)."""
        if settings.offer_sealing_secret is not None:
            return cls(settings.offer_sealing_secret.get_secret_value().encode())
        return cls(load_secret_file(settings.resolved_offer_sealing_secret_file()))

    def _round_aead(self, round_id: uuid.UUID) -> AESGCM:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=round_id.bytes, info=_HKDF_INFO
        ).derive(self._secret)
        return AESGCM(key)

    @staticmethod
    def _associated(offer_id: uuid.UUID, number: int, part: str) -> bytes:
        return f"offer:{offer_id}:{part}:{number}".encode()

    def seal(
        self,
        content: dict[str, Any],
        *,
        round_id: uuid.UUID,
        offer_id: uuid.UUID,
        number: int,
        part: str = "version",
    ) -> bytes:
        """`part` names what is sealed: an offer's version, or a counter-proposal to it."""
        nonce = os.urandom(_NONCE_BYTES)
        plain = json.dumps(content, separators=(",", ":"), sort_keys=True).encode()
        return nonce + self._aead(round_id).encrypt(
            nonce, plain, self._associated(offer_id, number, part)
        )

    def open(
        self,
        sealed: bytes,
        *,
        round_id: uuid.UUID,
        offer_id: uuid.UUID,
        number: int,
        part: str = "version",
    ) -> dict[str, Any]:
        try:
            plain = self._aead(round_id).decrypt(
                sealed[:_NONCE_BYTES],
                sealed[_NONCE_BYTES:],
                self._associated(offer_id, number, part),
            )
        except InvalidTag as exc:
            raise OfferUnreadable(
                f"{part.capitalize()} {number} of offer {offer_id} does not decrypt: this process has another "
                "offer sealing secret than the one that stored it"
            ) from exc
        content: dict[str, Any] = json.loads(plain)
        return content


def load_secret_file(path: Path) -> bytes:
    """The secret in `path`; when the file does not exist, 32 random bytes (hex) written there
    with mode 0600, linked into place so processes starting together agree on one secret."""
    if not path.exists():
        _generate(path)
    secret = path.read_bytes().strip()
    if len(secret) < 32:
        raise ValueError(f"{path} holds fewer than 32 characters: not an offer sealing secret")
    return secret


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_hex(32).encode() + b"\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
