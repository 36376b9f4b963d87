"""Sealing values for the database: AES-256-GCM under a key derived (HKDF-SHA256) from a secret
the database does not hold.

What a service seals (a vendor's offer, SUSHI credentials, the gateway's private keys) must not
be readable from a dump of its tables or a backup, and must not open when copied onto another
row. So each use names its purpose (HKDF's `info`: a key of its own per use), may name a salt
(the catalogue derives a key per procurement round from the round's id), and seals with
associated data that names the row (an offer's id and version, a product's id, a key's kid):
sealed bytes moved to another row fail to open instead of opening as that row's.

The stored form is the 12-byte random nonce followed by the ciphertext and its 16-byte tag. A
secret comes from a setting, or from a file generated on first start (`load_secret_file`,
`create_private_file`: the gateway's signing key file is made the same way).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
MIN_SECRET_BYTES = 32
# Salts (say, procurement rounds) whose derived keys a sealer keeps: one derivation per salt.
KEYS_KEPT = 256


class Unsealable(Exception):
    """The sealed bytes do not open: another secret, another purpose, another row's associated
    data, or damaged bytes (AES-GCM cannot tell these apart, by design)."""


class Sealer:
    """Seals and opens bytes for one purpose under one secret."""

    def __init__(self, secret: bytes, *, purpose: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"a sealing secret needs at least {MIN_SECRET_BYTES} bytes")
        if not purpose:
            raise ValueError("a sealer needs a purpose: the key is derived for it alone")
        self._secret = secret
        self._purpose = purpose
        self._aead = lru_cache(maxsize=KEYS_KEPT)(self._derive)

    def _derive(self, salt: bytes | None) -> AESGCM:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=self._purpose).derive(
            self._secret
        )
        return AESGCM(key)

    def seal(self, plain: bytes, *, associated: bytes, salt: bytes | None = None) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead(salt).encrypt(nonce, plain, associated)

    def open(self, sealed: bytes, *, associated: bytes, salt: bytes | None = None) -> bytes:
        """The plain bytes; Unsealable when they do not open under this secret for this row."""
        if len(sealed) < NONCE_BYTES + 16:
            raise Unsealable("too short to be sealed bytes")
        try:
            return self._aead(salt).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
        except InvalidTag as exc:
            raise Unsealable("the sealed bytes do not open with this secret for this row") from exc

    def seal_json(self, value: Any, *, associated: bytes, salt: bytes | None = None) -> bytes:
        plain = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
        return self.seal(plain, associated=associated, salt=salt)

    def open_json(self, sealed: bytes, *, associated: bytes, salt: bytes | None = None) -> Any:
        return json.loads(self.open(sealed, associated=associated, salt=salt))


def load_secret_file(path: Path) -> bytes:
    """The secret in `path`; when the file does not exist, 32 random bytes (hex) written there
    first (`create_private_file`)."""
    if not path.exists():
        create_private_file(path, secrets.token_hex(32).encode() + b"\n")
    secret = path.read_bytes().strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"{path} holds fewer than {MIN_SECRET_BYTES} characters: not a secret")
    return secret


def create_private_file(path: Path, content: bytes) -> None:
    """Write `content` to `path` with mode 0600 unless the file exists by then.

    Written to a private temporary file, then linked into place: a process starting at the same
    time (replicas, the gateway and `make token`) finds no file or a whole one, never half a
    file, and the first link wins, so all of them read the same secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per call: threads of one process share its pid.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
