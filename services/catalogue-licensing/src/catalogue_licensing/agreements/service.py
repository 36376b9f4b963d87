"""The rules of agreements: for which product, for how long, at what price, split how."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.agreements.access import visible_agreements
from catalogue_licensing.agreements.cost_shares.service import recompute_cost_shares
from catalogue_licensing.agreements.errors import AgreementNotFound
from catalogue_licensing.agreements.events import AgreementCreated, AgreementUpdated
from catalogue_licensing.agreements.models import Agreement, Participation
from catalogue_licensing.agreements.schemas import AgreementIn, AgreementOut, AgreementPatch
from catalogue_licensing.agreements.split import SplitKey
from catalogue_licensing.db import trail
from catalogue_licensing.directory.models import County
from catalogue_licensing.products.errors import ProductIsRetired
from catalogue_licensing.products.models import Product
from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.problems import InvalidField
from chassis.types import utcnow

RETIRED = "retired"


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
            raise InvalidField(
                "weights",
                f"weights apply only to split_key fixed_weights, not {split_key.value}",
                kind="weights_not_applicable",
            )
        return None
    if weights is None:
        raise InvalidField(
            "weights", "split_key fixed_weights needs weights", kind="missing_weights"
        )
    unknown = sorted(set(weights) - await _county_numbers_known(session, weights))
    if unknown:
        raise InvalidField(
            "weights", f"no county numbered {', '.join(unknown)}", kind="unknown_county"
        )
    uncovered = sorted(set(participants) - set(weights))
    if uncovered:
        raise InvalidField(
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
        raise InvalidField("product_id", f"no product {body.product_id}", kind="unknown_product")
    if product.status == RETIRED:
        raise ProductIsRetired(
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
    await trail.announce(
        session,
        AgreementCreated(
            product_id=agreement.product_id,
            period_start=agreement.period_start,
            period_end=agreement.period_end,
            yearly_price_minor=agreement.yearly_price_minor,
            currency=agreement.currency,
            split_key=SplitKey(agreement.split_key),
            weights=agreement.weights,
        ),
        principal=principal,
        change=Change("agreement", str(agreement.id), before=None, after=snapshot),
        subject=str(agreement.id),
        request_id=request_id,
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
        raise InvalidField(
            "period_end" if "period_end" in given else "period_start",
            f"the period would end ({end}) before it starts ({start})",
            kind="period_reversed",
        )
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
    changed = await trail.record_update(
        session,
        row=agreement,
        principal=principal,
        change=Change(
            "agreement", str(agreement.id), before=before, after=agreement_snapshot(agreement)
        ),
        subject=str(agreement.id),
        request_id=request_id,
        event=lambda changed: AgreementUpdated(changed=changed, version=agreement.version),
    )
    if _COST_FIELDS.intersection(changed):
        await recompute_cost_shares(session, agreement=agreement)
    return agreement


async def get_agreement(
    session: AsyncSession,
    *,
    principal: Principal,
    agreement_id: uuid.UUID,
    for_change: bool = False,
) -> Agreement:
    """The agreement if the caller may see it; `for_change`: locked (`FOR UPDATE`) until the
    transaction ends, so that changes derived from it (participation, shares) take turns."""
    query = select(Agreement).where(Agreement.id == agreement_id, visible_agreements(principal))
    if for_change:
        query = query.with_for_update(of=Agreement)
    agreement = await session.scalar(query)
    if agreement is None:
        raise AgreementNotFound(f"No agreement {agreement_id}")
    return agreement


async def list_agreements(
    session: AsyncSession,
    *,
    principal: Principal,
    product_id: uuid.UUID | None,
    current_on: date | None,
    after: uuid.UUID | None,
    limit: int,
    county: str | None = None,
) -> Sequence[Agreement]:
    # uuid7 ids grow with time: ordering by id is oldest first and stable.
    query = (
        select(Agreement).where(visible_agreements(principal)).order_by(Agreement.id).limit(limit)
    )
    if after is not None:
        query = query.where(Agreement.id > after)
    if product_id is not None:
        query = query.where(Agreement.product_id == product_id)
    if current_on is not None:
        query = query.where(
            Agreement.period_start <= current_on, Agreement.period_end >= current_on
        )
    if county is not None:
        taking_part = (
            select(Participation.agreement_id)
            .join(County, County.id == Participation.county_id)
            .where(County.number == county)
        )
        query = query.where(Agreement.id.in_(taking_part))
    return (await session.scalars(query)).all()


def _view(agreement: Agreement, counties: list[str]) -> AgreementOut:
    return AgreementOut(
        id=agreement.id,
        product_id=agreement.product_id,
        period_start=agreement.period_start,
        period_end=agreement.period_end,
        yearly_price_minor=agreement.yearly_price_minor,
        currency=agreement.currency,
        terms=agreement.terms,
        split_key=SplitKey(agreement.split_key),
        weights=agreement.weights,
        participating_counties=counties,
        version=agreement.version,
        created_by=agreement.created_by,
        created_at=agreement.created_at,
        updated_at=agreement.updated_at,
    )


async def agreement_views(
    session: AsyncSession, agreements: Sequence[Agreement]
) -> list[AgreementOut]:
    """The agreements as the API shows them, each with its participating counties."""
    counties = await participating_counties(session, [a.id for a in agreements])
    return [_view(a, counties[a.id]) for a in agreements]


async def agreement_view(session: AsyncSession, agreement: Agreement) -> AgreementOut:
    [view] = await agreement_views(session, [agreement])
    return view
