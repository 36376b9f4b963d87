"""Private keys sealed for the database (chassis.sealing: AES-256-GCM under a key derived from
the gateway's secret)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chassis.sealing import Sealer, Unsealable
from gateway.keys.errors import KeyRefused
from gateway.keys.signing_key import SigningKey, load_signing_key
from gateway.settings import GatewaySettings

PURPOSE = b"library-platform gateway signing keys v1"


class KeyCipher:
    """Seals private keys for the database: AES-256-GCM under a key derived (HKDF-SHA256) from
    the key-encryption secret, with the kid as associated data, so a sealed key copied onto
    another row does not open."""

    def __init__(self, secret: bytes) -> None:
        self._sealer = Sealer(secret, purpose=PURPOSE)

    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> KeyCipher:
        """From GATEWAY_KEY_ENCRYPTION_KEY, else from the key file (generated when missing)."""
        if settings.key_encryption_key is not None:
            return cls(settings.key_encryption_key.get_secret_value().encode())
        seed = load_signing_key(settings.resolved_signing_key_file())
        return cls(seed.der())

    def seal(self, key: SigningKey) -> bytes:
        return self._sealer.seal(key.der(), associated=key.kid.encode())

    def open(self, kid: str, sealed: bytes) -> SigningKey:
        try:
            der = self._sealer.open(sealed, associated=kid.encode())
        except Unsealable as exc:
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
