"""Costs from the catalogue, and cost per use: a county's share of the product's agreements for
the year (by the months of the year each agreement covers), divided by the uses its
organisations' COUNTER reports counted in those months (Total_Item_Requests; one report kind
per organisation and month, the platform's first, so no use is counted twice). Uses in months
no agreement of the county paid for (a trial before the contract) are reported, not divided."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from kpi.costs.events import AgreementRecorded, CostSharesRecorded
from kpi.costs.models import Agreement, CostShare
from kpi.db import trail
from kpi.organisations.models import Organisation
from kpi.usage.models import UsageCount

USES = "Total_Item_Requests"
# When reports of several kinds give an organisation's month, the first of these is used.
KIND_ORDER = ("PR", "DR", "TR", "IR")


async def record_agreement(
    session: AsyncSession,
    *,
    principal: Principal,
    agreement_id: uuid.UUID,
    data: dict[str, Any],
    now: datetime,
) -> None:
    found = await session.get(Agreement, agreement_id)
    values = {
        "product_id": uuid.UUID(str(data["product_id"])),
        "period_start": date.fromisoformat(str(data["period_start"])),
        "period_end": date.fromisoformat(str(data["period_end"])),
        "currency": str(data["currency"]),
    }
    if found is None:
        session.add(Agreement(id=agreement_id, updated_at=now, **values))
    else:
        for name, value in values.items():
            setattr(found, name, value)
        found.updated_at = now
    await session.flush()
    await trail.announce(
        session,
        AgreementRecorded(agreement_id=str(agreement_id), product_id=str(values["product_id"])),
        principal=principal,
        change=Change(
            "agreement",
            str(agreement_id),
            before=None,
            after={k: str(v) for k, v in values.items()},
        ),
        subject=str(agreement_id),
        request_id=None,
    )


async def record_cost_shares(
    session: AsyncSession, *, principal: Principal, agreement_id: uuid.UUID, data: dict[str, Any]
) -> bool:
    """Replace the agreement's shares; False when the agreement is unknown here (its creation
    was before the harvest began: the shares wait for the next recomputation)."""
    if await session.get(Agreement, agreement_id) is None:
        return False
    await session.execute(delete(CostShare).where(CostShare.agreement_id == agreement_id))
    shares = data.get("shares") or []
    for share in shares:
        session.add(
            CostShare(
                agreement_id=agreement_id,
                county_number=str(share["county_number"]),
                amount_minor=int(share["amount_minor"]),
                currency=str(data["currency"]),
            )
        )
    await session.flush()
    total = sum(int(s["amount_minor"]) for s in shares)
    await trail.announce(
        session,
        CostSharesRecorded(
            agreement_id=str(agreement_id), counties=len(shares), yearly_total_minor=total
        ),
        principal=principal,
        change=Change(
            "cost_shares",
            str(agreement_id),
            before=None,
            after={"counties": len(shares), "total": total},
        ),
        subject=str(agreement_id),
        request_id=None,
    )
    return True


def months_covered(start: date, end: date, year: int) -> frozenset[int]:
    """The months (1 to 12) of `year` that lie, at least in part, within [start, end]."""
    first = max(start, date(year, 1, 1))
    last = min(end, date(year, 12, 31))
    if first > last:
        return frozenset()
    return frozenset(range(first.month, last.month + 1))


@dataclass(frozen=True)
class CountyCost:
    county: str
    currency: str | None
    cost_minor: int | None  # None: no share in the year's agreements
    uses: int  # in the whole year
    paid_uses: int  # in the months the county's shares paid for


async def cost_per_use(
    session: AsyncSession, *, product_id: uuid.UUID, year: int, county: str | None
) -> list[CountyCost]:
    """Per county: its cost for the product in `year` and its organisations' uses, in the year
    and in the months its shares paid for."""
    cost: dict[str, int] = defaultdict(int)
    currency: dict[str, str] = {}
    paid_months: dict[str, set[int]] = defaultdict(set)
    rows = await session.execute(
        select(
            Agreement.period_start,
            Agreement.period_end,
            CostShare.county_number,
            CostShare.amount_minor,
            CostShare.currency,
        )
        .join(CostShare, CostShare.agreement_id == Agreement.id)
        .where(Agreement.product_id == product_id)
    )
    for start, end, number, amount, money in rows:
        months = months_covered(start, end, year)
        if months:
            cost[number] += round(amount * len(months) / 12)
            currency[number] = money
            paid_months[number] |= months
    counts = await session.execute(
        select(
            Organisation.county_code,
            UsageCount.organisation_id,
            UsageCount.month,
            UsageCount.report_kind,
            UsageCount.count,
        )
        .join(Organisation, Organisation.id == UsageCount.organisation_id)
        .where(
            UsageCount.product_id == product_id,
            UsageCount.metric == USES,
            UsageCount.month >= date(year, 1, 1),
            UsageCount.month <= date(year, 12, 1),
        )
    )
    by_kind: dict[tuple[str | None, uuid.UUID | None, date], dict[str, int]] = defaultdict(dict)
    for county_code, organisation_id, month, kind, count in counts:
        by_kind[(county_code, organisation_id, month)][kind] = count
    uses: dict[str, int] = defaultdict(int)
    paid_uses: dict[str, int] = defaultdict(int)
    for (county_code, _, month), kinds in by_kind.items():
        if county_code is None:
            continue
        chosen = next((k for k in KIND_ORDER if k in kinds), None)
        if chosen is not None:
            uses[county_code] += kinds[chosen]
            if month.month in paid_months[county_code]:
                paid_uses[county_code] += kinds[chosen]
    counties = sorted(set(cost) | set(uses))
    if county is not None:
        counties = [c for c in counties if c == county]
    return [
        CountyCost(c, currency.get(c), cost.get(c), uses.get(c, 0), paid_uses.get(c, 0))
        for c in counties
    ]
