"""An indicator's figure for one or many organisations of a tree, each by the indicator's own rule
(`rollup.py`): one query per indicator part (numerator, denominator, weight), however many
organisations are asked for. Roll-ups ask for one; peers and rankings for every library of a
country."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.indicators.models import Indicator
from kpi.observations.models import Observation
from kpi.observations.periods import Period, parse_period
from kpi.organisations.models import Organisation, Population
from kpi.questions.rollup import Figures, Tree, population, rolled, weighted

POPULATION = "population"
# The order of periodicities: a question may ask for the indicator's own or a longer one.
SPAN = {"week": 0, "month": 1, "quarter": 2, "year": 3}


@dataclass(frozen=True, slots=True)
class Place:
    """An organisation as peers and rankings list it."""

    id: uuid.UUID
    level: str
    code: str
    name: str
    country_code: str
    parent_id: uuid.UUID | None
    county_code: str | None


@dataclass
class Cell:
    """An organisation's figure for a period; a ratio's parts; why there is none."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None


async def whole_tree(session: AsyncSession) -> tuple[Tree, dict[uuid.UUID, Place]]:
    """Every organisation and population: two queries (the hierarchy is thousands of rows)."""
    tree = Tree()
    places: dict[uuid.UUID, Place] = {}
    rows = await session.execute(
        select(
            Organisation.id,
            Organisation.level,
            Organisation.code,
            Organisation.name,
            Organisation.country_code,
            Organisation.parent_id,
            Organisation.county_code,
        ).order_by(Organisation.code, Organisation.id)
    )
    for row in rows:
        places[row.id] = Place(*row)
        if row.parent_id is not None:
            tree.children[row.parent_id].append(row.id)
    for organisation_id, year, people in await session.execute(
        select(Population.organisation_id, Population.year, Population.population)
    ):
        tree.populations.setdefault(organisation_id, {})[year] = people
    return tree, places


async def _sums(
    session: AsyncSession, code: str, period: Period, members: set[uuid.UUID] | None
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
        if members is None or organisation_id in members:
            figures.by_org[organisation_id].append((period, float(total)))
    return figures


async def _figures(
    session: AsyncSession, code: str, period: Period, members: set[uuid.UUID] | None
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
        if members is None or organisation_id in members:
            figures.by_org[organisation_id].append((parse_period(text), value))
    return figures


async def values(
    session: AsyncSession,
    indicator: Indicator,
    tree: Tree,
    roots: Sequence[uuid.UUID],
    period: Period,
    members: set[uuid.UUID] | None = None,
) -> dict[uuid.UUID, float | None]:
    """Each root's figure by the rule (not a ratio: see `cells`). `members`: the organisations
    whose figures may count (None: all that the tree holds)."""
    if indicator.code == POPULATION:
        return {r: population(r, tree, period.start.year) for r in roots}
    if indicator.rollup == "sum":
        figures = await _sums(session, indicator.code, period, members)
        return {r: rolled("sum", r, tree, figures, period) for r in roots}
    figures = await _figures(session, indicator.code, period, members)
    if indicator.rollup == "weighted_mean":
        assert indicator.weight is not None
        weights = await _figures(session, indicator.weight, period, members)
        found: dict[uuid.UUID, float | None] = {}
        for root in roots:
            part = weighted(root, tree, figures, weights, period)
            found[root] = None if part is None or part[1] == 0 else part[0] / part[1]
        return found
    return {r: rolled(indicator.rollup, r, tree, figures, period) for r in roots}


async def cells(
    session: AsyncSession,
    indicator: Indicator,
    tree: Tree,
    roots: Sequence[uuid.UUID],
    period: Period,
    members: set[uuid.UUID] | None = None,
) -> dict[uuid.UUID, Cell]:
    """Each root's figure with a ratio's parts and a note where there is none: a ratio's
    numerator and denominator are rolled up each, then divided once (never a mean of ratios)."""
    if indicator.rollup != "ratio":
        found = await values(session, indicator, tree, roots, period, members)
        none_note = (
            "a distinct count is known only where it was observed for this period"
            if indicator.rollup == "distinct"
            else "no figure in this period"
        )
        return {r: Cell(v, note=none_note if v is None else None) for r, v in found.items()}
    parts = []
    for code in (indicator.numerator, indicator.denominator):
        part = await session.get(Indicator, code)
        assert part is not None  # a foreign key
        parts.append(await values(session, part, tree, roots, period, members))
    answer: dict[uuid.UUID, Cell] = {}
    for root in roots:
        cell = Cell(None, parts[0][root], parts[1][root])
        if cell.numerator is None or cell.denominator is None:
            cell.note = "the numerator or the denominator has no figure in this period"
        elif cell.denominator == 0:
            cell.note = "the denominator is zero"
        else:
            cell.value = cell.numerator / cell.denominator
        answer[root] = cell
    return answer


def span_problem(indicator: Indicator, period: Period) -> str | None:
    """Why a period cannot be asked of the indicator: shorter than what it is observed per."""
    if SPAN[period.kind] < SPAN[indicator.periodicity]:
        return (
            f"{indicator.code} is observed per {indicator.periodicity}: "
            f"ask for a {indicator.periodicity} or longer, not a {period.kind}"
        )
    return None


def subtree(tree: Tree, root: uuid.UUID) -> Iterable[uuid.UUID]:
    """The root and every organisation below it."""
    pending = [root]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(tree.children.get(current, []))
