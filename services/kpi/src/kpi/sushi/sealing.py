"""SUSHI credentials sealed for the database (chassis.sealing: AES-256-GCM, a key derived from a
secret the database does not hold); the product's id is the associated data, so sealed
credentials copied onto another endpoint do not open (docs/decisions/0044)."""

from __future__ import annotations

import uuid

from chassis.sealing import Sealer, Unsealable

PURPOSE = b"library-platform kpi sushi credentials v1"


class CredentialsUnreadable(Exception):
    """Sealed under another secret than this process's: the endpoint must be saved again."""


class CredentialSealer:
    def __init__(self, secret: bytes) -> None:
        self._sealer = Sealer(secret, purpose=PURPOSE)

    def seal(self, credentials: dict[str, str], *, product_id: uuid.UUID) -> bytes:
        return self._sealer.seal_json(credentials, associated=product_id.bytes)

    def open(self, sealed: bytes, *, product_id: uuid.UUID) -> dict[str, str]:
        try:
            opened: dict[str, str] = self._sealer.open_json(sealed, associated=product_id.bytes)
        except Unsealable as exc:
            raise CredentialsUnreadable(
                f"the SUSHI credentials of product {product_id} do not open with this "
                "process's sealing secret"
            ) from exc
        return opened
