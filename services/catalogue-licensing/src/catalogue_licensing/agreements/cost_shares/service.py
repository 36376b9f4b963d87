"""The rules of cost shares: recomputed from participation, the agreement's cost terms and (per
inhabitant) the counties' populations, in the transaction of the change that moves them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.agreements.cost_shares.access import visible_shares
from catalogue_licensing.agreements.cost_shares.errors import (
    CostSplitImpossible,
    PopulationMissing,
)
from catalogue_licensing.agreements.cost_shares.events import (
    CostSharesRecomputed,
    RecomputedShare,
)
from catalogue_licensing.agreements.cost_shares.schemas import CostShareOut, CostSharesOut
from catalogue_licensing.agreements.models import Agreement, CostShare, Participation
from catalogue_licensing.agreements.split import Share, SplitError, SplitKey, split_cost
from catalogue_licensing.db import outbox, trail
from catalogue_licensing.directory.models import County, CountyPopulation
from chassis.audit import Change
from chassis.auth import Principal
from chassis.outbox import record_event
from chassis.types import utcnow


def contract_year(agreement: Agreement) -> int:
    return agreement.period_start.year


async def populations_for(
    session: AsyncSession, *, county_ids: Sequence[uuid.UUID], year: int
) -> dict[uuid.UUID, tuple[int, int]]:
    """Per county, (year, population) of the latest year not after `year`; absent when none."""
    if not county_ids:
        return {}
    rows = await session.execute(
        select(CountyPopulation.county_id, CountyPopulation.year, CountyPopulation.population)
        .where(CountyPopulation.county_id.in_(county_ids), CountyPopulation.year <= year)
        .order_by(CountyPopulation.county_id, CountyPopulation.year)
    )
    found: dict[uuid.UUID, tuple[int, int]] = {}
    for county_id, row_year, population in rows:
        found[county_id] = (row_year, population)  # ascending years: the last one wins
    return found


async def recompute_cost_shares(session: AsyncSession, *, agreement: Agreement) -> list[Share]:
    """Replace the agreement's shares with ones computed from its participation now."""
    rows = (
        await session.execute(
            select(County.id, County.number)
            .join(Participation, Participation.county_id == County.id)
            .where(Participation.agreement_id == agreement.id)
        )
    ).all()
    id_of = {number: county_id for county_id, number in rows}
    populations: dict[str, int] = {}
    population_years: dict[str, int] = {}
    split_key = SplitKey(agreement.split_key)
    if split_key is SplitKey.per_inhabitant:
        year = contract_year(agreement)
        known = await populations_for(session, county_ids=list(id_of.values()), year=year)
        missing = sorted(n for n, cid in id_of.items() if cid not in known)
        if missing:
            raise PopulationMissing(
                f"The agreement splits per inhabitant, and no population for {year} or earlier "
                f"is known for county {', '.join(missing)}",
                extra={"counties": missing},
            )
        for number, county_id in id_of.items():
            population_years[number], populations[number] = known[county_id]
    try:
        shares = split_cost(
            agreement.yearly_price_minor,
            split_key,
            sorted(id_of),
            populations=populations,
            weights=agreement.weights,
        )
    except SplitError as exc:
        raise CostSplitImpossible(
            f"The cost cannot be split: {exc.reason}"
            + (f" (county {', '.join(exc.counties)})" if exc.counties else ""),
            extra={"counties": list(exc.counties)},
        ) from exc
    await session.execute(delete(CostShare).where(CostShare.agreement_id == agreement.id))
    now = utcnow()
    session.add_all(
        CostShare(
            agreement_id=agreement.id,
            county_id=id_of[share.county],
            amount_minor=share.amount,
            currency=agreement.currency,
            basis=share.basis,
            population_year=population_years.get(share.county),
            computed_at=now,
        )
        for share in shares
    )
    await session.flush()
    await record_event(
        session,
        outbox,
        CostSharesRecomputed(
            agreement_id=agreement.id,
            currency=agreement.currency,
            yearly_price_minor=agreement.yearly_price_minor,
            split_key=split_key,
            shares=[
                RecomputedShare(
                    county_number=s.county,
                    amount_minor=s.amount,
                    basis=s.basis,
                    population_year=population_years.get(s.county),
                )
                for s in shares
            ],
        ),
        subject=str(agreement.id),
    )
    return shares


@dataclass(frozen=True)
class CostShareRow:
    county_number: str
    amount_minor: int
    basis: int
    computed_at: datetime
    population_year: int | None


async def read_cost_shares(
    session: AsyncSession, *, principal: Principal, agreement: Agreement
) -> list[CostShareRow]:
    """The stored shares the caller may read, ordered by county."""
    query = (
        select(CostShare, County.number)
        .join(County, County.id == CostShare.county_id)
        .where(CostShare.agreement_id == agreement.id, visible_shares(principal))
        .order_by(County.number)
    )
    rows = (await session.execute(query)).all()
    return [
        CostShareRow(
            county_number=number,
            amount_minor=share.amount_minor,
            basis=share.basis,
            computed_at=share.computed_at,
            population_year=share.population_year,
        )
        for share, number in rows
    ]


# ---------------------------------------------------------------- populations move the shares


async def _shares_snapshot(session: AsyncSession, agreement_id: uuid.UUID) -> dict[str, Any]:
    """The agreement's shares by county number, as the audit trail compares them."""
    rows = await session.execute(
        select(County.number, CostShare.amount_minor, CostShare.basis, CostShare.population_year)
        .join(County, County.id == CostShare.county_id)
        .where(CostShare.agreement_id == agreement_id)
    )
    return {
        number: {"amount_minor": amount, "basis": basis, "population_year": year}
        for number, amount, basis, year in rows
    }


async def follow_population_change(
    session: AsyncSession,
    *,
    county_ids: Sequence[uuid.UUID],
    principal: Principal,
    request_id: str | None,
) -> list[uuid.UUID]:
    """Recompute the shares of every per_inhabitant agreement whose population basis moved.

    Call after a change to these counties' populations is flushed. A county's basis in an
    agreement is its population of the latest year up to the contract year; the agreements where
    one of these counties takes part and whose stored share no longer has that year and that
    population are recomputed, each once, with an audit entry (before and after, by county) and
    a `cost_shares.recomputed` event. A population of a later year than the contract's, or of a
    year older than the one in use, moves nothing. Returns the ids of the recomputed agreements.
    """
    if not county_ids:
        return []
    stored = (
        await session.execute(
            select(
                Agreement,
                Participation.county_id,
                CostShare.population_year,
                CostShare.basis,
            )
            .join(Participation, Participation.agreement_id == Agreement.id)
            .outerjoin(
                CostShare,
                (CostShare.agreement_id == Agreement.id)
                & (CostShare.county_id == Participation.county_id),
            )
            .where(
                Participation.county_id.in_(county_ids),
                Agreement.split_key == SplitKey.per_inhabitant.value,
            )
            .order_by(Agreement.id)
        )
    ).all()
    bases: dict[int, dict[uuid.UUID, tuple[int, int]]] = {}
    for year in sorted({contract_year(agreement) for agreement, *_ in stored}):
        bases[year] = await populations_for(session, county_ids=county_ids, year=year)
    moved: dict[uuid.UUID, Agreement] = {}
    for agreement, county_id, population_year, basis in stored:
        now_basis = bases[contract_year(agreement)].get(county_id)
        if now_basis != (population_year, basis):
            moved[agreement.id] = agreement
    for agreement in moved.values():
        before = await _shares_snapshot(session, agreement.id)
        await recompute_cost_shares(session, agreement=agreement)
        await trail.record_change(
            session,
            principal=principal,
            action="cost_shares.recomputed",
            change=Change(
                "cost_shares",
                str(agreement.id),
                before=before,
                after=await _shares_snapshot(session, agreement.id),
            ),
            request_id=request_id,
        )
    return list(moved)


_BASIS_KIND: dict[SplitKey, Literal["population", "weight", "equal"]] = {
    SplitKey.per_inhabitant: "population",
    SplitKey.fixed_weights: "weight",
    SplitKey.equal: "equal",
}


async def cost_shares_view(
    session: AsyncSession, *, principal: Principal, agreement: Agreement
) -> CostSharesOut:
    """The shares the caller may read, each saying what it was computed from."""
    rows = await read_cost_shares(session, principal=principal, agreement=agreement)
    year = contract_year(agreement)
    split_key = SplitKey(agreement.split_key)
    kind = _BASIS_KIND[split_key]
    items = [
        CostShareOut(
            county_number=row.county_number,
            amount_minor=row.amount_minor,
            basis=row.basis,
            basis_kind=kind,
            population_year=row.population_year,
            population_note=(
                f"No population is known for {year}; the latest earlier year, "
                f"{row.population_year}, was used"
                if row.population_year is not None and row.population_year != year
                else None
            ),
        )
        for row in rows
    ]
    return CostSharesOut(
        agreement_id=agreement.id,
        currency=agreement.currency,
        yearly_price_minor=agreement.yearly_price_minor,
        split_key=split_key,
        contract_year=year,
        computed_at=max((row.computed_at for row in rows), default=None),
        items=items,
    )
