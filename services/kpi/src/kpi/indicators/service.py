"""Rules of indicators: unique codes, and the parts each roll-up rule needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.types import utcnow
from kpi.db import trail
from kpi.indicators.errors import (
    DuplicateIndicator,
    IndicatorNotFound,
    RollupParts,
    UnknownComponent,
)
from kpi.indicators.events import IndicatorCreated, IndicatorUpdated
from kpi.indicators.models import Indicator
from kpi.indicators.schemas import IndicatorIn, IndicatorOut, IndicatorPatch, Rollup, Source
from kpi.indicators.starter import starter_rows

# Which parts each rule takes: a ratio of sums its numerator and denominator, a weighted mean
# its weight, the others none.
_PARTS: dict[Rollup, frozenset[str]] = {
    Rollup.ratio: frozenset({"numerator", "denominator"}),
    Rollup.weighted_mean: frozenset({"weight"}),
}
_ALL_PARTS = ("numerator", "denominator", "weight")


def indicator_view(indicator: Indicator) -> IndicatorOut:
    return IndicatorOut.model_validate(indicator)


def _audited(indicator: Indicator) -> dict[str, Any]:
    return indicator_view(indicator).model_dump(
        mode="json", exclude={"version", "created_at", "updated_at"}
    )


def is_derived(indicator: Indicator) -> bool:
    """A ratio of sums is computed from its parts, never entered."""
    return indicator.rollup == Rollup.ratio


async def get_indicator(session: AsyncSession, *, code: str) -> Indicator:
    indicator = await session.get(Indicator, code)
    if indicator is None:
        raise IndicatorNotFound(f"No indicator {code!r}")
    return indicator


async def list_indicators(
    session: AsyncSession, *, source: Source | None, after: str | None, limit: int
) -> Sequence[Indicator]:
    query = select(Indicator).order_by(Indicator.code).limit(limit)
    if source is not None:
        query = query.where(Indicator.source == source)
    if after is not None:
        query = query.where(Indicator.code > after)
    return (await session.scalars(query)).all()


async def _check_parts(session: AsyncSession, body: IndicatorIn) -> None:
    needed = _PARTS.get(body.rollup, frozenset())
    for name in _ALL_PARTS:
        value = getattr(body, name)
        if name in needed and value is None:
            raise RollupParts(name, f"a {body.rollup.value} roll-up needs its {name} indicator")
        if name not in needed and value is not None:
            raise RollupParts(name, f"a {body.rollup.value} roll-up takes no {name}")
        if value is None:
            continue
        if value == body.code:
            raise RollupParts(name, "an indicator cannot be a part of itself")
        if await session.get(Indicator, value) is None:
            raise UnknownComponent(name, f"no indicator {value!r}")
    if body.rollup == Rollup.ratio and body.numerator == body.denominator:
        raise RollupParts("denominator", "a ratio's denominator differs from its numerator")


async def create_indicator(
    session: AsyncSession, *, principal: Principal, body: IndicatorIn, request_id: str | None
) -> Indicator:
    if await session.get(Indicator, body.code) is not None:
        raise DuplicateIndicator("code", f"an indicator {body.code!r} exists already")
    await _check_parts(session, body)
    now = utcnow()
    indicator = Indicator(**body.model_dump(mode="json"), created_at=now, updated_at=now)
    session.add(indicator)
    await session.flush()
    await trail.announce(
        session,
        IndicatorCreated(
            code=indicator.code, rollup=indicator.rollup, periodicity=indicator.periodicity
        ),
        principal=principal,
        change=Change("indicator", indicator.code, before=None, after=_audited(indicator)),
        subject=indicator.code,
        request_id=request_id,
    )
    return indicator


async def update_indicator(
    session: AsyncSession,
    *,
    principal: Principal,
    indicator: Indicator,
    body: IndicatorPatch,
    request_id: str | None,
) -> Indicator:
    before = _audited(indicator)
    for name, value in body.sent().items():
        if getattr(indicator, name) != value:
            setattr(indicator, name, value)
    await trail.record_update(
        session,
        row=indicator,
        principal=principal,
        change=Change("indicator", indicator.code, before=before, after=_audited(indicator)),
        subject=indicator.code,
        request_id=request_id,
        event=lambda changed: IndicatorUpdated(code=indicator.code, changed=changed),
    )
    return indicator


async def install_starter_set(session: AsyncSession) -> list[str]:
    """Add the starter indicators the database lacks, as the migration that ships them does
    (reference data: no event), never changing one that is there; the codes added."""
    present = set((await session.scalars(select(Indicator.code))).all())
    rows = [row for row in starter_rows(utcnow()) if row["code"] not in present]
    if rows:
        await session.execute(insert(Indicator), rows)
    return [row["code"] for row in rows]
