"""The rules of agreements and participation: who takes part, and what each county pays."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalogue_licensing.agreements.models import (
    Agreement,
    CostShare,
    Participation,
    participation_libraries,
)
from catalogue_licensing.agreements.schemas import AgreementIn, AgreementPatch
from catalogue_licensing.agreements.split import Share, SplitError, SplitKey, split_cost
from catalogue_licensing.audit.service import announce, record_change, record_update
from catalogue_licensing.db import outbox
from catalogue_licensing.directory.models import County, CountyPopulation, Library, Municipality
from catalogue_licensing.field_problems import field_problem
from catalogue_licensing.products.models import Product
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.outbox import record_event
from chassis.problems import FieldError, ProblemError
from chassis.types import utcnow

RETIRED = "retired"


def _field_problem(
    field: str, message: str, *, kind: str, detail: str | None = None
) -> ProblemError:
    """A 422 naming one body field, shaped like the framework's own validation errors."""
    return field_problem(
        422,
        "validation-error",
        field=field,
        message=message,
        kind=kind,
        detail=detail or f"body.{field}: {message}",
        title="The request is not valid",
    )


# ---------------------------------------------------------------- snapshots (audit, events)


def agreement_snapshot(agreement: Agreement) -> dict[str, Any]:
    return {
        "product_id": str(agreement.product_id),
        "period_start": agreement.period_start.isoformat(),
        "period_end": agreement.period_end.isoformat(),
        "yearly_price_minor": agreement.yearly_price_minor,
        "currency": agreement.currency,
        "terms": agreement.terms,
        "split_key": agreement.split_key,
        "weights": agreement.weights,
    }


def participation_snapshot(
    agreement_id: uuid.UUID, county_number: str, isils: Iterable[str]
) -> dict[str, Any]:
    return {
        "agreement_id": str(agreement_id),
        "county_number": county_number,
        "libraries": sorted(isils),
    }


def participation_resource_id(agreement_id: uuid.UUID, county_number: str) -> str:
    # One audit history per county and agreement, across withdrawing and joining again.
    return f"{agreement_id}/{county_number}"


# ---------------------------------------------------------------- lookups


async def load_agreement(session: AsyncSession, agreement_id: uuid.UUID) -> Agreement:
    agreement = await session.get(Agreement, agreement_id)
    if agreement is None:
        raise ProblemError(404, "not-found", f"No agreement {agreement_id}")
    return agreement


async def county_by_number(session: AsyncSession, number: str) -> County:
    counties = (await session.scalars(select(County).where(County.number == number))).all()
    if not counties:
        raise ProblemError(404, "not-found", f"No county numbered {number}")
    if len(counties) > 1:
        raise ProblemError(
            409,
            "ambiguous-county",
            f"County number {number} exists in several countries; it cannot name one county",
        )
    return counties[0]


async def participating_counties(
    session: AsyncSession, agreement_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """County numbers taking part in each agreement, sorted; every id is a key."""
    found: dict[uuid.UUID, list[str]] = {a: [] for a in agreement_ids}
    if not agreement_ids:
        return found
    rows = await session.execute(
        select(Participation.agreement_id, County.number)
        .join(County, County.id == Participation.county_id)
        .where(Participation.agreement_id.in_(agreement_ids))
        .order_by(County.number)
    )
    for agreement_id, number in rows:
        found[agreement_id].append(number)
    return found


async def _county_numbers_known(session: AsyncSession, numbers: Iterable[str]) -> set[str]:
    wanted = set(numbers)
    if not wanted:
        return set()
    rows = await session.scalars(select(County.number).where(County.number.in_(wanted)))
    return set(rows.all())


# ---------------------------------------------------------------- agreements


async def _check_weights(
    session: AsyncSession,
    *,
    split_key: SplitKey,
    weights: dict[str, int] | None,
    participants: Sequence[str],
) -> dict[str, int] | None:
    """The weights to store: only for fixed_weights, naming known counties, covering participants."""
    if split_key is not SplitKey.fixed_weights:
        if weights:
            raise _field_problem(
                "weights",
                f"weights apply only to split_key fixed_weights, not {split_key.value}",
                kind="weights_not_applicable",
            )
        return None
    if weights is None:
        raise _field_problem(
            "weights", "split_key fixed_weights needs weights", kind="missing_weights"
        )
    unknown = sorted(set(weights) - await _county_numbers_known(session, weights))
    if unknown:
        raise _field_problem(
            "weights", f"no county numbered {', '.join(unknown)}", kind="unknown_county"
        )
    uncovered = sorted(set(participants) - set(weights))
    if uncovered:
        raise _field_problem(
            "weights",
            "the weights do not cover every participating county; missing: " + ", ".join(uncovered),
            kind="weights_incomplete",
        )
    return dict(sorted(weights.items()))


async def create_agreement(
    session: AsyncSession,
    *,
    body: AgreementIn,
    principal: Principal,
    request_id: str | None,
    agreement_id: uuid.UUID | None = None,
) -> Agreement:
    """A new agreement; `agreement_id` only for data loaded with fixed ids (the demo)."""
    product = await session.get(Product, body.product_id)
    if product is None:
        raise _field_problem("product_id", f"no product {body.product_id}", kind="unknown_product")
    if product.status == RETIRED:
        raise ProblemError(
            409,
            "product-retired",
            f"Product {product.id} is retired; no new agreement can be made for it",
        )
    weights = await _check_weights(
        session, split_key=body.split_key, weights=body.weights, participants=()
    )
    now = utcnow()
    agreement = Agreement(
        id=agreement_id or uuid7(),
        product_id=product.id,
        period_start=body.period_start,
        period_end=body.period_end,
        yearly_price_minor=body.yearly_price_minor,
        currency=body.currency,
        terms=dict(body.terms),
        split_key=body.split_key.value,
        weights=weights,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(agreement)
    await session.flush()
    snapshot = agreement_snapshot(agreement)
    await announce(
        session,
        principal=principal,
        action="agreement.created",
        resource_type="agreement",
        resource_id=str(agreement.id),
        subject=str(agreement.id),
        before=None,
        after=snapshot,
        request_id=request_id,
        data={k: v for k, v in snapshot.items() if k != "terms"},
    )
    return agreement


# Changes to these fields change what the counties pay.
_COST_FIELDS = frozenset({"period_start", "yearly_price_minor", "currency", "split_key", "weights"})


async def update_agreement(
    session: AsyncSession,
    *,
    agreement: Agreement,
    patch: AgreementPatch,
    principal: Principal,
    request_id: str | None,
) -> Agreement:
    before = agreement_snapshot(agreement)
    given = patch.model_fields_set
    start = patch.period_start if patch.period_start is not None else agreement.period_start
    end = patch.period_end if patch.period_end is not None else agreement.period_end
    if end < start:
        raise _field_problem(
            "period_end" if "period_end" in given else "period_start",
            f"the period would end ({end}) before it starts ({start})",
            kind="period_reversed",
        )
    for name in ("period_start", "period_end", "yearly_price_minor", "currency", "terms"):
        if name in given and getattr(patch, name) is None:
            raise _field_problem(name, "may not be null", kind="null_not_allowed")
    split_key = patch.split_key or SplitKey(agreement.split_key)
    if "weights" in given:
        weights = patch.weights
    elif split_key is SplitKey.fixed_weights:
        weights = agreement.weights
    else:
        # Moving away from fixed_weights drops the weights that no longer mean anything.
        weights = None
    participants = (await participating_counties(session, [agreement.id]))[agreement.id]
    stored_weights = await _check_weights(
        session, split_key=split_key, weights=weights, participants=participants
    )
    agreement.period_start = start
    agreement.period_end = end
    if patch.yearly_price_minor is not None:
        agreement.yearly_price_minor = patch.yearly_price_minor
    if patch.currency is not None:
        agreement.currency = patch.currency
    if patch.terms is not None:
        agreement.terms = dict(patch.terms)
    agreement.split_key = split_key.value
    agreement.weights = stored_weights
    changed = await record_update(
        session,
        row=agreement,
        principal=principal,
        action="agreement.updated",
        resource_type="agreement",
        resource_id=str(agreement.id),
        subject=str(agreement.id),
        before=before,
        after=agreement_snapshot(agreement),
        request_id=request_id,
        event_data=lambda changed: {"changed": changed, "version": agreement.version},
    )
    if _COST_FIELDS.intersection(changed):
        await recompute_cost_shares(session, agreement=agreement)
    return agreement


# ---------------------------------------------------------------- participation


async def load_participation(
    session: AsyncSession, *, agreement_id: uuid.UUID, county: County
) -> Participation | None:
    return await session.scalar(
        select(Participation)
        .options(selectinload(Participation.libraries))
        .where(Participation.agreement_id == agreement_id, Participation.county_id == county.id)
    )


async def _libraries_of_county(
    session: AsyncSession, *, county: County, isils: Sequence[str]
) -> list[Library]:
    """The libraries named, all of them the county's; otherwise a 422 naming every bad ISIL."""
    rows = (
        await session.execute(
            select(Library, Municipality.county_id)
            .join(Municipality, Municipality.id == Library.municipality_id)
            .where(Library.isil.in_(isils))
        )
    ).all()
    found = {library.isil: (library, county_id) for library, county_id in rows}
    errors = []
    for index, isil in enumerate(isils):
        if isil not in found:
            errors.append((index, isil, "no library with this ISIL", "unknown_isil"))
        elif found[isil][1] != county.id:
            errors.append(
                (index, isil, f"this library is not in county {county.number}", "foreign_isil")
            )
    if errors:
        raise ProblemError(
            422,
            "validation-error",
            "These libraries cannot take part for county "
            f"{county.number}: {', '.join(isil for _, isil, _, _ in errors)}; nothing was changed",
            title="The request is not valid",
            errors=[
                FieldError(
                    location=f"body.libraries.{index}",
                    pointer=f"/libraries/{index}",
                    message=f"{isil}: {message}",
                    type=kind,
                )
                for index, isil, message, kind in errors
            ],
        )
    return [found[isil][0] for isil in isils]


async def agreements_with_libraries(
    session: AsyncSession, library_ids: Sequence[uuid.UUID] | Select[uuid.UUID]
) -> list[uuid.UUID]:
    """The agreements in which any of these libraries takes part (through its county), sorted."""
    rows = await session.scalars(
        select(Participation.agreement_id)
        .join(
            participation_libraries,
            participation_libraries.c.participation_id == Participation.id,
        )
        .where(participation_libraries.c.library_id.in_(library_ids))
        .distinct()
        .order_by(Participation.agreement_id)
    )
    return list(rows.all())


@dataclass(frozen=True)
class ParticipationChange:
    participation: Participation | None
    created: bool


async def put_participation(
    session: AsyncSession,
    *,
    agreement: Agreement,
    county: County,
    existing: Participation | None,
    isils: Sequence[str],
    principal: Principal,
    request_id: str | None,
) -> ParticipationChange:
    """Create or replace the county's participation; shares are recomputed in this transaction."""
    unique = list(dict.fromkeys(isils))
    libraries = await _libraries_of_county(session, county=county, isils=unique)
    if agreement.split_key == SplitKey.fixed_weights and county.number not in (
        agreement.weights or {}
    ):
        raise ProblemError(
            409,
            "weights-incomplete",
            f"The agreement splits by fixed weights and has no weight for county {county.number};"
            " add one to the agreement's weights first",
        )
    now = utcnow()
    before = (
        None
        if existing is None
        else participation_snapshot(
            agreement.id, county.number, (x.isil for x in existing.libraries)
        )
    )
    if existing is None:
        participation = Participation(
            id=uuid7(),
            agreement_id=agreement.id,
            county_id=county.id,
            updated_by=principal.subject,
            updated_at=now,
            libraries=libraries,
        )
        session.add(participation)
    else:
        participation = existing
        participation.libraries = libraries
        # A changed column makes the row's UPDATE, and so its version, move even when only the
        # list of libraries changed (that list lives in another table).
        participation.updated_by = principal.subject
        participation.updated_at = now
    await session.flush()
    after = participation_snapshot(agreement.id, county.number, unique)
    await _record_participation_change(
        session,
        agreement=agreement,
        county=county,
        library_count=len(unique),
        action="joined" if existing is None else "updated",
        before=before,
        after=after,
        principal=principal,
        request_id=request_id,
    )
    return ParticipationChange(participation=participation, created=existing is None)


async def withdraw_participation(
    session: AsyncSession,
    *,
    agreement: Agreement,
    county: County,
    participation: Participation,
    principal: Principal,
    request_id: str | None,
) -> None:
    before = participation_snapshot(
        agreement.id, county.number, (x.isil for x in participation.libraries)
    )
    await session.delete(participation)
    await session.flush()
    await _record_participation_change(
        session,
        agreement=agreement,
        county=county,
        library_count=0,
        action="withdrawn",
        before=before,
        after=None,
        principal=principal,
        request_id=request_id,
    )


async def _record_participation_change(
    session: AsyncSession,
    *,
    agreement: Agreement,
    county: County,
    library_count: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    principal: Principal,
    request_id: str | None,
) -> None:
    await record_change(
        session,
        principal=principal,
        action="participation.changed",
        resource_type="participation",
        resource_id=participation_resource_id(agreement.id, county.number),
        before=before,
        after=after,
        request_id=request_id,
    )
    shares = await recompute_cost_shares(session, agreement=agreement)
    await record_event(
        session,
        outbox,
        type="participation.changed",
        subject=str(agreement.id),
        data={
            "agreement_id": str(agreement.id),
            "product_id": str(agreement.product_id),
            "county_number": county.number,
            "change": action,
            "library_count": library_count,
            "participating_county_count": len(shares),
        },
    )


# ---------------------------------------------------------------- cost shares


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
            raise ProblemError(
                409,
                "population-missing",
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
        raise ProblemError(
            409,
            "cost-split-impossible",
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
        type="cost_shares.recomputed",
        subject=str(agreement.id),
        data={
            "agreement_id": str(agreement.id),
            "currency": agreement.currency,
            "yearly_price_minor": agreement.yearly_price_minor,
            "split_key": split_key.value,
            "shares": [
                {
                    "county_number": s.county,
                    "amount_minor": s.amount,
                    "basis": s.basis,
                    **(
                        {"population_year": population_years[s.county]}
                        if s.county in population_years
                        else {}
                    ),
                }
                for s in shares
            ],
        },
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
    session: AsyncSession, *, agreement: Agreement, only_county: str | None, everything: bool
) -> list[CostShareRow]:
    """The stored shares, ordered by county; `everything` False limits them to `only_county`."""
    query = (
        select(CostShare, County.number)
        .join(County, County.id == CostShare.county_id)
        .where(CostShare.agreement_id == agreement.id)
        .order_by(County.number)
    )
    if not everything:
        if only_county is None:
            return []
        query = query.where(County.number == only_county)
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
        await record_change(
            session,
            principal=principal,
            action="cost_shares.recomputed",
            resource_type="cost_shares",
            resource_id=str(agreement.id),
            before=before,
            after=await _shares_snapshot(session, agreement.id),
            request_id=request_id,
        )
    return list(moved)
