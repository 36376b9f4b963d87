"""The yearly price of an accepted offer: from its price lines and, per inhabitant or tiered,
the population the programme serves in the contract's first year."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.directory.models import CountyPopulation
from catalogue_licensing.procurement.award.errors import PriceNeeded
from catalogue_licensing.procurement.offers.pricing import OfferContent, PricingModel


async def served_population(session: AsyncSession, *, on: date) -> int:
    """Every county's latest known population up to `on`'s year, summed."""
    latest = (
        select(CountyPopulation.county_id, func.max(CountyPopulation.year).label("year"))
        .where(CountyPopulation.year <= on.year)
        .group_by(CountyPopulation.county_id)
        .subquery()
    )
    total = await session.scalar(
        select(func.coalesce(func.sum(CountyPopulation.population), 0)).join(
            latest,
            (CountyPopulation.county_id == latest.c.county_id)
            & (CountyPopulation.year == latest.c.year),
        )
    )
    return int(total or 0)


def yearly_price(content: OfferContent, *, population: int, given: int | None) -> int:
    lines = content.price_lines
    match content.pricing_model:
        case PricingModel.flat:
            return lines[0].amount_minor
        case PricingModel.per_inhabitant:
            return lines[0].amount_minor * population
        case PricingModel.tiered_by_population:
            for line in lines:
                low = line.min_population or 0
                if low <= population and (
                    line.max_population is None or population <= line.max_population
                ):
                    return line.amount_minor
            raise PriceNeeded("yearly_price_minor", f"no tier covers the population {population}")
        case _:
            if given is None:
                raise PriceNeeded(
                    "yearly_price_minor",
                    "a per-loan offer is awarded with the yearly price agreed from expected loans",
                )
            return given
