"""One RSA signing key (its kid, its public JWK) and the key file it can be loaded from."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from chassis.sealing import create_private_file

ALGORITHM = "RS256"
KEY_SIZE = 2048


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

    def der(self) -> bytes:
        """The private key as unencrypted PKCS #8 DER: what gets sealed, or derived from."""
        return self.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _thumbprint(jwk: dict[str, Any]) -> str:
    # RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


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
    create_private_file(path, pem)
