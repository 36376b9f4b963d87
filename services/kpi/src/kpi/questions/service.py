"""Roll-ups read from the database: the organisation's subtree (a query per level), the
indicator's observations inside the period (one query per indicator), then `rollup.py`."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from kpi.indicators.models import Indicator
from kpi.observations.errors import UnknownIndicator
from kpi.observations.models import Observation
from kpi.observations.periods import Period, PeriodError, parse_period
from kpi.observations.service import find_organisation
from kpi.organisations.access import in_scope
from kpi.organisations.models import Organisation, Population
from kpi.organisations.natural_codes import Known
from kpi.questions.errors import BadRollupPeriod, BadSeries, NotYourOrganisationsFigures
from kpi.questions.periods import periods_within, year_before
from kpi.questions.rollup import Figures, Tree, population, rolled, weighted
from kpi.questions.schemas import (
    MAX_SERIES_ORGANISATIONS,
    MAX_SERIES_PERIODS,
    RollupOut,
    RollupQuery,
    SeriesOut,
    SeriesQuery,
    YearOnYearOut,
    YearOnYearQuery,
)

POPULATION = "population"


async def _tree(session: AsyncSession, root: uuid.UUID) -> Tree:
    tree = Tree()
    level = [root]
    members = [root]
    while level:
        rows = (
            await session.execute(
                select(Organisation.id, Organisation.parent_id).where(
                    Organisation.parent_id.in_(level)
                )
            )
        ).all()
        for child, parent in rows:
            if parent is not None:
                tree.children[parent].append(child)
        level = [child for child, _ in rows]
        members += level
    for organisation_id, year, people in await session.execute(
        select(Population.organisation_id, Population.year, Population.population).where(
            Population.organisation_id.in_(members)
        )
    ):
        tree.populations.setdefault(organisation_id, {})[year] = people
    return tree


async def _sums(
    session: AsyncSession, code: str, period: Period, members: set[uuid.UUID]
) -> Figures:
    """Each organisation's own figures inside the period, summed by the database: a row per
    organisation rather than per organisation and month (what a `sum` needs)."""
    figures = Figures()
    rows = await session.execute(
        select(Observation.organisation_id, func.sum(Observation.value))
        .where(
            Observation.indicator_code == code,
            Observation.period_start >= period.start,
            Observation.period_end <= period.end,
        )
        .group_by(Observation.organisation_id)
    )
    for organisation_id, total in rows:
        if organisation_id in members:
            figures.by_org[organisation_id].append((period, float(total)))
    return figures


async def _figures(
    session: AsyncSession, code: str, period: Period, members: set[uuid.UUID]
) -> Figures:
    figures = Figures()
    rows = await session.execute(
        select(Observation.organisation_id, Observation.period, Observation.value).where(
            Observation.indicator_code == code,
            Observation.period_start >= period.start,
            Observation.period_end <= period.end,
        )
    )
    for organisation_id, text, value in rows:
        if organisation_id in members:
            figures.by_org[organisation_id].append((parse_period(text), value))
    return figures


def _members(tree: Tree, root: uuid.UUID) -> set[uuid.UUID]:
    found = {root}
    for children in tree.children.values():
        found.update(children)
    return found


async def _value(
    session: AsyncSession, indicator: Indicator, root: uuid.UUID, tree: Tree, period: Period
) -> float | None:
    if indicator.code == POPULATION:
        return population(root, tree, period.start.year)
    members = _members(tree, root)
    if indicator.rollup == "sum":
        return rolled(
            "sum", root, tree, await _sums(session, indicator.code, period, members), period
        )
    values = await _figures(session, indicator.code, period, members)
    if indicator.rollup == "weighted_mean":
        assert indicator.weight is not None
        weights = await _figures(session, indicator.weight, period, members)
        part = weighted(root, tree, values, weights, period)
        return None if part is None or part[1] == 0 else part[0] / part[1]
    return rolled(indicator.rollup, root, tree, values, period)


async def _indicator(session: AsyncSession, code: str) -> Indicator:
    indicator = await session.get(Indicator, code)
    if indicator is None:
        raise UnknownIndicator.in_query("indicator", f"no indicator {code!r}")
    return indicator


async def _readable(session: AsyncSession, principal: Principal, ref: str, *, field: str) -> Known:
    organisation = await find_organisation(session, ref, field=field, in_query=True)
    if not in_scope(principal, organisation):
        raise NotYourOrganisationsFigures.in_query(
            field, f"you may not read the figures of {organisation.code}"
        )
    return organisation


def _period(text: str, *, field: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise BadRollupPeriod.in_query(field, str(exc)) from exc


async def _answer(
    session: AsyncSession, indicator: Indicator, organisation: Known, tree: Tree, period: Period
) -> RollupOut:
    answer = RollupOut(
        indicator=indicator.code,
        rule=indicator.rollup,
        organisation_id=organisation.id,
        organisation=organisation.code,
        period=period.text,
        value=None,
    )
    if indicator.rollup != "ratio":
        answer.value = await _value(session, indicator, organisation.id, tree, period)
        if answer.value is None:
            answer.note = (
                "a distinct count is known only where it was observed for this period"
                if indicator.rollup == "distinct"
                else "no figure in this period"
            )
        return answer
    parts = []
    for code in (indicator.numerator, indicator.denominator):
        part = await session.get(Indicator, code)
        assert part is not None  # a foreign key
        parts.append(await _value(session, part, organisation.id, tree, period))
    answer.numerator, answer.denominator = parts
    if answer.numerator is None or answer.denominator is None:
        answer.note = "the numerator or the denominator has no figure in this period"
    elif answer.denominator == 0:
        answer.note = "the denominator is zero"
    else:
        answer.value = answer.numerator / answer.denominator
    return answer


async def rollup(session: AsyncSession, *, principal: Principal, query: RollupQuery) -> RollupOut:
    indicator = await _indicator(session, query.indicator)
    organisation = await _readable(session, principal, query.organisation, field="organisation")
    period = _period(query.period, field="period")
    tree = await _tree(session, organisation.id)
    return await _answer(session, indicator, organisation, tree, period)


async def series(session: AsyncSession, *, principal: Principal, query: SeriesQuery) -> SeriesOut:
    """The indicator per period of `per` inside `period`, for each organisation (rolled up)."""
    indicator = await _indicator(session, query.indicator)
    refs = [r.strip() for r in query.organisations.split(",") if r.strip()]
    if not refs or len(refs) > MAX_SERIES_ORGANISATIONS:
        raise BadSeries.in_query(
            "organisations", f"name 1 to {MAX_SERIES_ORGANISATIONS} organisations, comma-separated"
        )
    span = _period(query.period, field="period")
    cells = periods_within(span, query.per or indicator.periodicity)
    if len(cells) > MAX_SERIES_PERIODS:
        raise BadSeries.in_query("per", f"at most {MAX_SERIES_PERIODS} periods in one series")
    out = SeriesOut(indicator=indicator.code, rule=indicator.rollup, items=[])
    for ref in refs:
        organisation = await _readable(session, principal, ref, field="organisations")
        tree = await _tree(session, organisation.id)
        for cell in cells:
            out.items.append(await _answer(session, indicator, organisation, tree, cell))
    return out


async def year_on_year(
    session: AsyncSession, *, principal: Principal, query: YearOnYearQuery
) -> YearOnYearOut:
    indicator = await _indicator(session, query.indicator)
    organisation = await _readable(session, principal, query.organisation, field="organisation")
    period = _period(query.period, field="period")
    tree = await _tree(session, organisation.id)
    current = await _answer(session, indicator, organisation, tree, period)
    previous = await _answer(session, indicator, organisation, tree, year_before(period))
    change = percent = None
    if current.value is not None and previous.value is not None:
        change = current.value - previous.value
        if previous.value != 0:
            percent = round(100 * change / previous.value, 2)
    return YearOnYearOut(
        indicator=indicator.code,
        organisation=organisation.code,
        current=current,
        previous=previous,
        change=change,
        change_percent=percent,
    )
