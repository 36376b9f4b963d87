"""Request and response bodies of offers and their versions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from catalogue_licensing.procurement.offers.pricing import OfferContent, OfferContentOut
from chassis.pagination import PageQuery
from chassis.schemas import OutputModel


class OfferStatus(StrEnum):
    submitted = "submitted"
    negotiation = "negotiation"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


OUTCOMES = frozenset({OfferStatus.accepted, OfferStatus.rejected, OfferStatus.withdrawn})


class OfferIn(OfferContent):
    product_id: uuid.UUID


class OfferOut(OutputModel):
    id: uuid.UUID
    round_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    status: OfferStatus
    current_version: int
    agreement_id: uuid.UUID | None
    submitted_at: datetime
    changed_at: datetime = Field(description="When the content last changed (its newest version)")
    sealed: bool = Field(
        description="True when the content is not yours to read yet (until the offer deadline "
        "only the vendor reads it); `content` is then null"
    )
    content: OfferContentOut | None
    version: int


class OfferVersionOut(OutputModel):
    number: int
    origin: str = Field(description="vendor, or counter_proposal (the programme's terms accepted)")
    created_by: str
    created_at: datetime
    sealed: bool
    content: OfferContentOut | None


class OfferQuery(PageQuery):
    product_id: uuid.UUID | None = Field(None, description="Only this product's")
    status: OfferStatus | None = Field(None, description="Only offers with this status")
