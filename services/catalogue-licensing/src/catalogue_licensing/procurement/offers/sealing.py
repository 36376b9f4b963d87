"""Offer content sealed for the database (chassis.sealing: AES-256-GCM), under a key per round
derived from a secret the database does not hold, with the round's id as salt; the offer's id
and version number are the associated data, so a sealed version copied onto another row does
not open."""

from __future__ import annotations

import uuid
from typing import Any

from catalogue_licensing.procurement.offers.errors import OfferUnreadable
from catalogue_licensing.settings import CatalogueSettings
from chassis.sealing import Sealer, Unsealable, load_secret_file

PURPOSE = b"library-platform catalogue offers v1"


class OfferSealer:
    def __init__(self, secret: bytes) -> None:
        self._sealer = Sealer(secret, purpose=PURPOSE)

    @classmethod
    def from_settings(cls, settings: CatalogueSettings) -> OfferSealer:
        """From CATALOGUE_OFFER_SEALING_SECRET, else from the secret file (generated if missing)."""
        if settings.offer_sealing_secret is not None:
            return cls(settings.offer_sealing_secret.get_secret_value().encode())
        return cls(load_secret_file(settings.resolved_offer_sealing_secret_file()))

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
        return self._sealer.seal_json(
            content, associated=self._associated(offer_id, number, part), salt=round_id.bytes
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
            content: dict[str, Any] = self._sealer.open_json(
                sealed, associated=self._associated(offer_id, number, part), salt=round_id.bytes
            )
        except Unsealable as exc:
            raise OfferUnreadable(
                f"{part.capitalize()} {number} of offer {offer_id} does not decrypt: this process "
                "has another offer sealing secret than the one that stored it"
            ) from exc
        return content
