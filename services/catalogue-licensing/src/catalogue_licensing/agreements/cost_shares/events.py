"""The event of a recomputation of an agreement's cost shares (declared in the feed's contract)."""

import uuid

from pydantic import BaseModel, ConfigDict

from catalogue_licensing.agreements.split import SplitKey
from chassis.outbox import EventData


class RecomputedShare(BaseModel):
    model_config = ConfigDict(extra="forbid")

    county_number: str
    amount_minor: int
    basis: int
    # per_inhabitant: the population year the basis is from; null for the other split keys.
    population_year: int | None


class CostSharesRecomputed(EventData):
    event_type = "cost_shares.recomputed"
    agreement_id: uuid.UUID
    currency: str
    yearly_price_minor: int
    split_key: SplitKey
    shares: list[RecomputedShare]
