"""Roll-ups read from the database: the organisation's subtree (a query per level), the
indicator's observations inside the period (one query per indicator), then `rollup.py`."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from kpi.indicators.models import Indicator
from kpi.observations.errors import UnknownIndicator
from kpi.observations.periods import Period, PeriodError, parse_period
from kpi.observations.service import find_organisation
from kpi.organisations.access import in_scope
from kpi.organisations.models import Organisation, Population
from kpi.organisations.natural_codes import Known
from kpi.questions.errors import BadRollupPeriod, BadSeries, NotYourOrganisationsFigures
from kpi.questions.periods import periods_within, year_before
from kpi.questions.rollup import Tree
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
from kpi.questions.values import cells


async def _tree(session: AsyncSession, root: uuid.UUID) -> Tree:
    """The organisation's subtree and its populations in one query: a recursive walk down the
    hierarchy, joined with the populations (a query per level and a list of every member's id
    took most of a roll-up to the country: docs/decisions/0043)."""
    tree = Tree()
    down = (
        select(Organisation.id, Organisation.parent_id)
        .where(Organisation.id == root)
        .cte("subtree", recursive=True)
    )
    down = down.union_all(
        select(Organisation.id, Organisation.parent_id).where(Organisation.parent_id == down.c.id)
    )
    rows = await session.execute(
        select(down.c.id, down.c.parent_id, Population.year, Population.population).outerjoin(
            Population, Population.organisation_id == down.c.id
        )
    )
    placed = {root}
    for organisation_id, parent, year, people in rows:
        if organisation_id not in placed:
            placed.add(organisation_id)
            tree.children[parent].append(organisation_id)
        if year is not None:
            tree.populations.setdefault(organisation_id, {})[year] = people
    return tree


async def known_indicator(session: AsyncSession, code: str) -> Indicator:
    indicator = await session.get(Indicator, code)
    if indicator is None:
        raise UnknownIndicator.in_query("indicator", f"no indicator {code!r}")
    return indicator


async def readable_organisation(
    session: AsyncSession, principal: Principal, ref: str, *, field: str
) -> Known:
    organisation = await find_organisation(session, ref, field=field, in_query=True)
    if not in_scope(principal, organisation):
        raise NotYourOrganisationsFigures.in_query(
            field, f"you may not read the figures of {organisation.code}"
        )
    return organisation


def asked_period(text: str, *, field: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise BadRollupPeriod.in_query(field, str(exc)) from exc


async def _answer(
    session: AsyncSession, indicator: Indicator, organisation: Known, tree: Tree, period: Period
) -> RollupOut:
    members = _members(tree, organisation.id)
    cell = (await cells(session, indicator, tree, [organisation.id], period, members))[
        organisation.id
    ]
    return RollupOut(
        indicator=indicator.code,
        rule=indicator.rollup,
        organisation_id=organisation.id,
        organisation=organisation.code,
        period=period.text,
        value=cell.value,
        numerator=cell.numerator,
        denominator=cell.denominator,
        note=cell.note,
    )


def _members(tree: Tree, root: uuid.UUID) -> set[uuid.UUID]:
    found = {root}
    for children in tree.children.values():
        found.update(children)
    return found


async def rollup(session: AsyncSession, *, principal: Principal, query: RollupQuery) -> RollupOut:
    indicator = await known_indicator(session, query.indicator)
    organisation = await readable_organisation(
        session, principal, query.organisation, field="organisation"
    )
    period = asked_period(query.period, field="period")
    tree = await _tree(session, organisation.id)
    return await _answer(session, indicator, organisation, tree, period)


async def series(session: AsyncSession, *, principal: Principal, query: SeriesQuery) -> SeriesOut:
    """The indicator per period of `per` inside `period`, for each organisation (rolled up)."""
    indicator = await known_indicator(session, query.indicator)
    refs = [r.strip() for r in query.organisations.split(",") if r.strip()]
    if not refs or len(refs) > MAX_SERIES_ORGANISATIONS:
        raise BadSeries.in_query(
            "organisations", f"name 1 to {MAX_SERIES_ORGANISATIONS} organisations, comma-separated"
        )
    span = asked_period(query.period, field="period")
    cells = periods_within(span, query.per or indicator.periodicity)
    if len(cells) > MAX_SERIES_PERIODS:
        raise BadSeries.in_query("per", f"at most {MAX_SERIES_PERIODS} periods in one series")
    out = SeriesOut(indicator=indicator.code, rule=indicator.rollup, items=[])
    for ref in refs:
        organisation = await readable_organisation(session, principal, ref, field="organisations")
        tree = await _tree(session, organisation.id)
        for cell in cells:
            out.items.append(await _answer(session, indicator, organisation, tree, cell))
    return out


async def year_on_year(
    session: AsyncSession, *, principal: Principal, query: YearOnYearQuery
) -> YearOnYearOut:
    indicator = await known_indicator(session, query.indicator)
    organisation = await readable_organisation(
        session, principal, query.organisation, field="organisation"
    )
    period = asked_period(query.period, field="period")
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
