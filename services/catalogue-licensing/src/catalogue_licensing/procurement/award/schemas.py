"""Request and response bodies of awards."""

from __future__ import annotations

import uuid

from pydantic import Field

from catalogue_licensing.agreements.schemas import PriceMinor, Weights
from catalogue_licensing.agreements.split import SplitKey
from chassis.schemas import InputModel, OutputModel


class AwardIn(InputModel):
    split_key: SplitKey = Field(description="How the agreement's yearly price is split")
    weights: Weights | None = None
    yearly_price_minor: PriceMinor | None = Field(
        None,
        description="Needed for a per-loan offer only: the yearly price agreed from the "
        "expected loans (the other models give it from the price lines and the population)",
    )


class AwardOut(OutputModel):
    offer_id: uuid.UUID
    round_id: uuid.UUID
    agreement_id: uuid.UUID
    product_id: uuid.UUID
    yearly_price_minor: int
    currency: str
    population: int | None = Field(
        description="The population the price was computed from (per inhabitant or tiered)"
    )
