"""Peers and rankings read from the database: the whole hierarchy (two queries), the indicator's
figures inside the period (a query per part), each organisation's figure by the indicator's own
rule (`kpi.questions.values`), then the median or the order."""

from __future__ import annotations

import statistics
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from chassis.pagination import int_after
from kpi.indicators.models import Indicator
from kpi.observations.periods import Period
from kpi.observations.service import find_organisation
from kpi.organisations.access import in_scope, sees_all
from kpi.peers.classes import BY_CODE, MIN_PEERS, SIZED_LEVELS, SizeClass, size_class
from kpi.peers.errors import BadComparisonPeriod, NotComparable
from kpi.peers.schemas import (
    PeerComparisonOut,
    PeerQuery,
    RankedOut,
    RankingQuery,
    SizeClassOut,
)
from kpi.questions.errors import NotYourOrganisationsFigures
from kpi.questions.rollup import Tree, population
from kpi.questions.service import asked_period, known_indicator, readable_organisation
from kpi.questions.values import Cell, Place, cells, span_problem, subtree, whole_tree

HEIGHT = {"library": 0, "municipality": 1, "county": 2, "country": 3}


def _period(indicator: Indicator, text: str) -> Period:
    period = asked_period(text, field="period")
    problem = span_problem(indicator, period)
    if problem is not None:
        raise BadComparisonPeriod.in_query("period", problem)
    return period


def served(place: Place, tree: Tree, year: int) -> float | None:
    """The population a library or a municipality serves: a library its municipality's."""
    if place.level == "library":
        return None if place.parent_id is None else population(place.parent_id, tree, year)
    return population(place.id, tree, year)


def _class_out(found: SizeClass) -> SizeClassOut:
    return SizeClassOut(
        code=found.code,
        label=found.label,
        min_population=found.minimum,
        max_population=found.maximum,
    )


async def peer_comparison(
    session: AsyncSession, *, principal: Principal, query: PeerQuery
) -> PeerComparisonOut:
    """The organisation's figure beside the median of its peers: the other organisations of its
    level, country and size class (docs/decisions/0042)."""
    indicator = await known_indicator(session, query.indicator)
    organisation = await readable_organisation(
        session, principal, query.organisation, field="organisation"
    )
    if organisation.level not in SIZED_LEVELS:
        raise NotComparable.in_query(
            "organisation",
            f"peers are compared for a library or a municipality; {organisation.code} is a "
            f"{organisation.level}",
        )
    period = _period(indicator, query.period)
    tree, places = await whole_tree(session)
    me = places[organisation.id]
    year = period.start.year
    people = served(me, tree, year)
    found_class = size_class(people)
    peers: list[uuid.UUID] = []
    if found_class is not None:
        peers = [
            p.id
            for p in places.values()
            if p.level == me.level
            and p.country_code == me.country_code
            and p.id != me.id
            and size_class(served(p, tree, year)) == found_class
        ]
    figures = await cells(session, indicator, tree, [me.id, *peers], period)
    known = [v for v in (figures[p].value for p in peers) if v is not None]
    note = figures[me.id].note
    if found_class is None:
        note = f"no population for {year}: no size class, no peers"
    elif len(known) < MIN_PEERS:
        note = f"fewer than {MIN_PEERS} peers have a figure for this period"
    return PeerComparisonOut(
        indicator=indicator.code,
        rule=indicator.rollup,
        organisation_id=me.id,
        organisation=me.code,
        level="library" if me.level == "library" else "municipality",
        period=period.text,
        population_year=year,
        population=people,
        size_class=None if found_class is None else _class_out(found_class),
        value=figures[me.id].value,
        peer_median=statistics.median(known) if len(known) >= MIN_PEERS else None,
        peer_count=len(known),
        note=note,
    )


async def _within(
    session: AsyncSession, principal: Principal, query: RankingQuery
) -> uuid.UUID | None:
    if query.within is None:
        if not sees_all(principal):
            raise NotYourOrganisationsFigures.in_query(
                "within", "name the organisation to rank within: your county or a part of it"
            )
        return None
    within = await find_organisation(session, query.within, field="within", in_query=True)
    if not in_scope(principal, within):
        raise NotYourOrganisationsFigures.in_query(
            "within", f"you may not read the figures of {within.code}"
        )
    if HEIGHT[within.level] <= HEIGHT[query.level]:
        raise NotComparable.in_query(
            "within", f"{within.code} is a {within.level}: no {query.level} lies under it"
        )
    return within.id


def _ordered(
    places: list[Place], figures: dict[uuid.UUID, Cell], *, descending: bool
) -> list[tuple[Place, int | None]]:
    """Standard competition ranking (1, 2, 2, 4) of those with a figure, by their code among
    equals; then those without, unranked, by code."""
    with_value = [p for p in places if figures[p.id].value is not None]
    sign = -1.0 if descending else 1.0
    with_value.sort(key=lambda p: (sign * (figures[p.id].value or 0.0), p.code))
    without = sorted((p for p in places if figures[p.id].value is None), key=lambda p: p.code)
    ranked: list[tuple[Place, int | None]] = []
    previous: float | None = None
    rank = 0
    for position, place in enumerate(with_value, start=1):
        value = figures[place.id].value
        if value != previous:
            rank, previous = position, value
        ranked.append((place, rank))
    ranked.extend((p, None) for p in without)
    return ranked


def _ranked(place: Place, cell: Cell, rank: int | None) -> RankedOut:
    return RankedOut(
        rank=rank,
        organisation_id=place.id,
        organisation=place.code,
        name=place.name,
        value=cell.value,
        numerator=cell.numerator,
        denominator=cell.denominator,
        note=cell.note,
    )


async def ranking(
    session: AsyncSession, *, principal: Principal, query: RankingQuery
) -> list[tuple[int, RankedOut]]:
    """The page's slice of the ranking (one more than the page holds), each with its position:
    the kit's cursor is the position the next page continues after."""
    after = int_after(query)
    indicator = await known_indicator(session, query.indicator)
    period = _period(indicator, query.period)
    if query.size_class is not None and query.level not in SIZED_LEVELS:
        raise NotComparable.in_query(
            "size_class", "size classes are for libraries and municipalities"
        )
    within = await _within(session, principal, query)
    tree, places = await whole_tree(session)
    under = places.keys() if within is None else set(subtree(tree, within))
    chosen = [p for i, p in places.items() if i in under and p.level == query.level]
    if query.size_class is not None:
        wanted = BY_CODE[query.size_class]
        year = period.start.year
        chosen = [p for p in chosen if size_class(served(p, tree, year)) == wanted]
    figures = await cells(session, indicator, tree, [p.id for p in chosen], period)
    ordered = _ordered(chosen, figures, descending=query.order == "desc")
    start = 0 if after is None else after + 1
    return [
        (position, _ranked(place, figures[place.id], rank))
        for position, (place, rank) in enumerate(ordered)
        if start <= position <= start + query.limit
    ]


def page_key(row: tuple[int, RankedOut]) -> list[int]:
    return [row[0]]
