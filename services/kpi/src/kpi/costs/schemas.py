"""Bodies of cost per use."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from chassis.schemas import OutputModel


class CostPerUseQuery(BaseModel):
    product_id: uuid.UUID = Field(description="The catalogue's id of the product")
    year: int = Field(ge=2000, le=2100, description="The calendar year")
    county: str | None = Field(None, max_length=16, description="Only this county's row")


class CostPerUseOut(OutputModel):
    county: str
    currency: str | None
    cost: float | None = Field(
        description="The county's share for the year, in the currency's units; null when it has "
        "no share in the year's agreements for the product (its uses are still counted)"
    )
    uses: int = Field(description="Total_Item_Requests of the county's organisations in the year")
    paid_uses: int = Field(
        description="The same, in the months of the year the county's shares paid for (the "
        "months its agreements for the product cover); uses outside them, such as a trial "
        "before the contract, are in `uses` only"
    )
    cost_per_use: float | None = Field(
        description="cost / paid_uses; null when there was no paid use or no cost share"
    )


class CostPerUseList(OutputModel):
    product_id: uuid.UUID
    year: int
    items: list[CostPerUseOut]
