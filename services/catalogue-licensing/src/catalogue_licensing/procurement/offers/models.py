"""Offers and their immutable versions, whose content is stored sealed (AES-GCM)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catalogue_licensing.db import Base
from chassis.concurrency import Versioned
from chassis.types import UTCDateTime


class Offer(Versioned, Base):
    __tablename__ = "procurement_offers"
    __table_args__ = (UniqueConstraint("round_id", "product_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procurement_rounds.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id"), index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("vendors.id"), index=True)
    # The number of the newest version (1 on submission).
    current_version: Mapped[int] = mapped_column(Integer)
    # OfferStatus: submitted, in negotiation, then an outcome (accepted, rejected, withdrawn).
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The agreement an accepted offer became (award).
    agreement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agreements.id"), nullable=True
    )
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the content last changed (a new version).
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OfferVersion(Base):
    """One version of an offer's content, never changed once written."""

    __tablename__ = "procurement_offer_versions"

    offer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procurement_offers.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    # nonce + AES-256-GCM ciphertext of {pricing_model, price_lines, terms} (offers/sealing.py).
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # vendor (submitted or revised), counter_proposal (the vendor accepted the programme's terms)
    origin: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
