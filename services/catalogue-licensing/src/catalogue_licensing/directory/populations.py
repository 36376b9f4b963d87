"""A county's or municipality's population by year."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import trail
from catalogue_licensing.directory.events import (
    CountyPopulationSet,
    MunicipalityPopulationSet,
)
from catalogue_licensing.directory.followers import FOLLOWERS
from catalogue_licensing.directory.models import (
    County,
    CountyPopulation,
    Municipality,
    MunicipalityPopulation,
)
from catalogue_licensing.directory.views import area_kind, area_resource_id, area_view, audited
from chassis.audit import Change
from chassis.auth import Principal
from chassis.types import utcnow


def merge_populations(area: County | Municipality, wanted: dict[int, int]) -> list[int]:
    """Add the years `area` lacks and correct the ones that differ; other years are kept.

    Returns the years whose population changed, oldest first.
    """
    have = {p.year: p for p in area.populations}
    changed: list[int] = []
    for year, population in sorted(wanted.items()):
        row = have.get(year)
        if row is not None and row.population == population:
            continue
        if row is not None:
            row.population = population
        elif isinstance(area, County):
            area.populations.append(CountyPopulation(year=year, population=population))
        else:
            area.populations.append(MunicipalityPopulation(year=year, population=population))
        changed.append(year)
    return changed


async def set_population(
    session: AsyncSession,
    *,
    principal: Principal,
    area: County | Municipality,
    year: int,
    population: int,
    request_id: str | None,
) -> None:
    """Set a county's or municipality's population of one year (a repeat changes nothing).

    A county's new population recomputes, in this transaction, the shares of the per_inhabitant
    agreements whose basis it moves; a split that then becomes impossible refuses the change (409).
    """
    before = audited(area_view(area))
    if not merge_populations(area, {year: population}):
        return
    # Touching the area bumps its version, so its ETag changes with its populations.
    area.updated_at = utcnow()
    await session.flush()
    event = CountyPopulationSet if isinstance(area, County) else MunicipalityPopulationSet
    await trail.announce(
        session,
        event(country=area.country_code, number=area.number, year=year, population=population),
        principal=principal,
        change=Change(
            area_kind(area), area_resource_id(area), before=before, after=audited(area_view(area))
        ),
        subject=str(area.id),
        request_id=request_id,
    )
    # Only a county's population is a basis of cost shares (per inhabitant, by county); a
    # municipality's is kept for the directory and moves no share.
    if isinstance(area, County):
        await FOLLOWERS.population_changed(
            session, county_ids=[area.id], principal=principal, request_id=request_id
        )
