"""Response bodies of cost shares: what each participating county pays."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from catalogue_licensing.agreements.split import SplitKey
from chassis.schemas import OutputModel


class CostShareOut(OutputModel):
    county_number: str
    amount_minor: int
    basis: int = Field(description="Population, weight, or 1 (equal shares)")
    basis_kind: Literal["population", "weight", "equal"]
    population_year: int | None = Field(
        description="per_inhabitant: the year whose population was used"
    )
    population_note: str | None = Field(
        description="Set when the contract year's population was missing and an earlier year's "
        "was used"
    )


class CostSharesOut(OutputModel):
    agreement_id: uuid.UUID
    currency: str
    yearly_price_minor: int
    split_key: SplitKey
    contract_year: int
    computed_at: datetime | None = Field(description="When the shares were last recomputed")
    items: list[CostShareOut] = Field(
        description="One row per participating county the caller may see; all rows add up to "
        "yearly_price_minor"
    )
