"""Rules of observations: one figure per indicator, organisation and period, entered only within
the caller's scope, corrected without losing what it was."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from kpi.db import trail
from kpi.indicators.models import Indicator
from kpi.observations.errors import (
    BadPeriod,
    BadValue,
    DerivedIndicator,
    DuplicateObservation,
    NotYourOrganisation,
    ObservationNotFound,
    UnknownIndicator,
    UnknownOrganisation,
)
from kpi.observations.events import ObservationCorrected, ObservationRecorded
from kpi.observations.models import Observation, ObservationRevision
from kpi.observations.periods import PeriodError, parse_period
from kpi.observations.rules import (
    IndicatorRules,
    RuleBroken,
    checked_period,
    checked_value,
    entry_problem,
)
from kpi.observations.schemas import (
    ObservationIn,
    ObservationOut,
    ObservationPatch,
    ObservationQuery,
    RevisionOut,
)
from kpi.organisations.access import in_scope, organisation_scope
from kpi.organisations.models import Organisation
from kpi.organisations.natural_codes import Known, resolve


def _rules(indicator: Indicator) -> IndicatorRules:
    return IndicatorRules(
        code=indicator.code,
        value_type=indicator.value_type,
        rollup=indicator.rollup,
        periodicity=indicator.periodicity,
    )


async def indicator_rules(session: AsyncSession) -> dict[str, IndicatorRules]:
    """Every indicator's rules by code (a few dozen rows: read whole)."""
    return {i.code: _rules(i) for i in (await session.scalars(select(Indicator))).all()}


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def find_organisation(
    session: AsyncSession, ref: str, *, field: str, in_query: bool = False
) -> Known:
    """The organisation an id or a natural code names, or a problem naming `field` (a body
    field, or a query parameter)."""
    by_id = _as_uuid(ref)
    why: str | None = None
    if by_id is not None:
        row = await session.get(Organisation, by_id)
        if row is not None:
            return Known(id=row.id, level=row.level, code=row.code, county_code=row.county_code)
        why = f"no organisation {ref}"
    else:
        resolution = await resolve(session, [ref])
        if ref in resolution.found:
            return resolution.found[ref]
        why = resolution.problems[ref]
    if in_query:
        raise UnknownOrganisation.in_query(field, why)
    raise UnknownOrganisation(field, why)


def _view(observation: Observation, organisation_code: str) -> ObservationOut:
    return ObservationOut(
        id=observation.id,
        indicator=observation.indicator_code,
        organisation_id=observation.organisation_id,
        organisation=organisation_code,
        period=observation.period,
        period_start=observation.period_start,
        period_end=observation.period_end,
        value=observation.value,
        status=observation.status,
        source=observation.source,
        comment=observation.comment,
        version=observation.version,
        recorded_by=observation.recorded_by,
        recorded_at=observation.updated_at,
    )


def _audited(observation: Observation) -> dict[str, Any]:
    return {
        "indicator": observation.indicator_code,
        "organisation_id": str(observation.organisation_id),
        "period": observation.period,
        "value": observation.value,
        "status": observation.status,
        "comment": observation.comment,
    }


def _revision(observation: Observation) -> ObservationRevision:
    return ObservationRevision(
        observation_id=observation.id,
        version=observation.version,
        value=observation.value,
        status=observation.status,
        source=observation.source,
        comment=observation.comment,
        recorded_by=observation.recorded_by,
        recorded_at=observation.updated_at,
    )


async def create_observation(
    session: AsyncSession, *, principal: Principal, body: ObservationIn, request_id: str | None
) -> tuple[Observation, str]:
    indicator = await session.get(Indicator, body.indicator)
    if indicator is None:
        raise UnknownIndicator("indicator", f"no indicator {body.indicator!r}")
    rules = _rules(indicator)
    if (why := entry_problem(rules)) is not None:
        raise DerivedIndicator("indicator", why)
    organisation = await find_organisation(session, body.organisation, field="organisation")
    if not in_scope(principal, organisation):
        raise NotYourOrganisation(
            "organisation", f"you may not enter figures for {organisation.code}"
        )
    try:
        period = checked_period(rules, body.period, today=utcnow().date())
    except RuleBroken as exc:
        raise BadPeriod("period", str(exc)) from exc
    try:
        value = checked_value(rules, body.value)
    except RuleBroken as exc:
        raise BadValue("value", str(exc)) from exc
    taken = await session.scalar(
        select(Observation.id).where(
            Observation.indicator_code == rules.code,
            Observation.organisation_id == organisation.id,
            Observation.period == period.text,
        )
    )
    if taken is not None:
        raise DuplicateObservation(
            "period",
            f"{rules.code} of {organisation.code} for {period.text} is recorded already "
            f"(observation {taken}): correct that one",
        )
    now = utcnow()
    observation = Observation(
        id=uuid7(),
        indicator_code=rules.code,
        organisation_id=organisation.id,
        period=period.text,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        value=value,
        status=body.status,
        source="entered",
        comment=body.comment,
        recorded_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(observation)
    await session.flush()
    session.add(_revision(observation))
    await trail.announce(
        session,
        ObservationRecorded(
            indicator=rules.code,
            organisation=organisation.code,
            period=period.text,
            value=value,
            status=body.status,
        ),
        principal=principal,
        change=Change("observation", str(observation.id), before=None, after=_audited(observation)),
        subject=str(observation.id),
        request_id=request_id,
    )
    return observation, organisation.code


async def get_observation(
    session: AsyncSession, *, principal: Principal, observation_id: uuid.UUID
) -> tuple[Observation, str]:
    """The observation and its organisation's code, if in the caller's scope (else 404)."""
    found = (
        await session.execute(
            select(Observation, Organisation.code)
            .join(Organisation, Organisation.id == Observation.organisation_id)
            .where(Observation.id == observation_id, organisation_scope(principal))
        )
    ).first()
    if found is None:
        raise ObservationNotFound(f"No observation {observation_id} that you may see")
    return found[0], found[1]


def observation_view(observation: Observation, organisation_code: str) -> ObservationOut:
    return _view(observation, organisation_code)


async def correct_observation(
    session: AsyncSession,
    *,
    principal: Principal,
    observation: Observation,
    organisation_code: str,
    body: ObservationPatch,
    request_id: str | None,
) -> Observation:
    changes = body.sent()
    if "value" in changes:
        indicator = await session.get(Indicator, observation.indicator_code)
        assert indicator is not None  # a foreign key
        try:
            changes["value"] = checked_value(_rules(indicator), changes["value"])
        except RuleBroken as exc:
            raise BadValue("value", str(exc)) from exc
    before = _audited(observation)
    for name, value in changes.items():
        if getattr(observation, name) != value:
            setattr(observation, name, value)
    if _audited(observation) == before:
        return observation
    observation.source = "entered"
    observation.recorded_by = principal.subject
    changed = await trail.record_update(
        session,
        row=observation,
        principal=principal,
        change=Change(
            "observation", str(observation.id), before=before, after=_audited(observation)
        ),
        subject=str(observation.id),
        request_id=request_id,
        event=lambda fields: ObservationCorrected(
            indicator=observation.indicator_code,
            organisation=organisation_code,
            period=observation.period,
            changed=fields,
            version=observation.version,
        ),
    )
    if changed:
        session.add(_revision(observation))
        await session.flush()
    return observation


async def revisions_of(
    session: AsyncSession, *, observation: Observation, after: int | None, limit: int
) -> Sequence[RevisionOut]:
    query = (
        select(ObservationRevision)
        .where(ObservationRevision.observation_id == observation.id)
        .order_by(ObservationRevision.version)
        .limit(limit)
    )
    if after is not None:
        query = query.where(ObservationRevision.version > after)
    return [RevisionOut.model_validate(r) for r in (await session.scalars(query)).all()]


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def _current() -> Select[*tuple[Any, ...]]:
    return select(
        Observation.id,
        Observation.indicator_code.label("indicator"),
        Observation.organisation_id,
        Organisation.code.label("organisation"),
        Observation.period,
        Observation.period_start,
        Observation.period_end,
        Observation.value,
        Observation.status,
        Observation.source,
        Observation.comment,
        Observation.version,
        Observation.recorded_by,
        Observation.updated_at.label("recorded_at"),
    )


def _as_of(cutoff: datetime) -> Select[*tuple[Any, ...]]:
    """Each observation's figure as it stood before `cutoff`: its last revision by then."""
    rev = ObservationRevision
    latest = (
        select(rev.observation_id, func.max(rev.version).label("version"))
        .where(rev.recorded_at < cutoff)
        .group_by(rev.observation_id)
        .subquery()
    )
    return (
        select(
            Observation.id,
            Observation.indicator_code.label("indicator"),
            Observation.organisation_id,
            Organisation.code.label("organisation"),
            Observation.period,
            Observation.period_start,
            Observation.period_end,
            rev.value,
            rev.status,
            rev.source,
            rev.comment,
            rev.version,
            rev.recorded_by,
            rev.recorded_at,
        )
        .join(latest, latest.c.observation_id == Observation.id)
        .join(
            rev,
            and_(rev.observation_id == Observation.id, rev.version == latest.c.version),
        )
    )


async def list_observations(
    session: AsyncSession,
    *,
    principal: Principal,
    query: ObservationQuery,
    after: uuid.UUID | None,
) -> list[ObservationOut]:
    statement = _current() if query.as_of is None else _as_of(_end_of(query.as_of))
    conditions: list[ColumnElement[bool]] = [organisation_scope(principal)]
    if query.indicator is not None:
        if await session.get(Indicator, query.indicator) is None:
            raise UnknownIndicator.in_query("indicator", f"no indicator {query.indicator!r}")
        conditions.append(Observation.indicator_code == query.indicator)
    if query.organisation is not None:
        organisation = await find_organisation(
            session, query.organisation, field="organisation", in_query=True
        )
        conditions.append(Observation.organisation_id == organisation.id)
    if query.period is not None:
        try:
            period = parse_period(query.period)
        except PeriodError as exc:
            raise BadPeriod.in_query("period", str(exc)) from exc
        conditions += [
            Observation.period_start >= period.start,
            Observation.period_end <= period.end,
        ]
    if query.status is not None:
        status_column = Observation.status if query.as_of is None else ObservationRevision.status
        conditions.append(status_column == query.status)
    if after is not None:
        conditions.append(Observation.id > after)
    statement = (
        statement.join(Organisation, Organisation.id == Observation.organisation_id)
        .where(*conditions)
        .order_by(Observation.id)
        .limit(query.limit + 1)
    )
    rows = (await session.execute(statement)).mappings().all()
    return [ObservationOut.model_validate(dict(row)) for row in rows]
