"""Roll-ups by each indicator's own rule, up the hierarchy and over time.

An organisation's figure for a period is its own, where it has one (a county's figure entered
as a county's is not recomputed from its libraries); else its children's, combined by the rule:
`sum` adds, `last` adds each child's last period, `weighted_mean` carries Σ value·weight and
Σ weight up, `distinct` is never added (known only where observed for exactly that period), and
`ratio` rolls its numerator and denominator up first and divides once: never a mean of
ratios. Population, a denominator, comes from the organisations' population per year."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from kpi.observations.periods import Period

# (value, weight): for a weighted mean Σ v·w and Σ w; for the other rules (value, 1.0).
Part = tuple[float, float]


@dataclass
class Tree:
    """The organisations under one, by parent, and their populations per year."""

    children: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    populations: dict[uuid.UUID, dict[int, int]] = field(default_factory=dict)


@dataclass
class Figures:
    """Observations of one indicator inside the period: org → [(period, value)]."""

    by_org: dict[uuid.UUID, list[tuple[Period, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )


class RollupGap(Exception):
    """Why no figure can be given (a distinct count asked of a sum of organisations, a ratio
    whose denominator is zero, no figure at all)."""


def own_value(rule: str, observed: list[tuple[Period, float]], period: Period) -> float | None:
    """An organisation's own figures inside `period`, combined over time by the rule."""
    if not observed:
        return None
    if rule == "last":
        return max(observed, key=lambda pv: pv[0].start)[1]
    if rule == "distinct":
        exact = [v for p, v in observed if (p.start, p.end) == (period.start, period.end)]
        return exact[0] if exact else None
    return sum(v for _, v in observed)


def rolled(
    rule: str, organisation: uuid.UUID, tree: Tree, figures: Figures, period: Period
) -> float | None:
    """The organisation's figure: its own, or its children's combined (None: nothing known)."""
    own = own_value(rule, figures.by_org.get(organisation, []), period)
    if own is not None:
        return own
    if rule == "distinct":
        return None
    values = [rolled(rule, c, tree, figures, period) for c in tree.children.get(organisation, [])]
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def weighted(
    organisation: uuid.UUID, tree: Tree, values: Figures, weights: Figures, period: Period
) -> Part | None:
    """(Σ value·weight, Σ weight) for the organisation: its own pairs, or its children's."""
    own_weights = {p.text: w for p, w in weights.by_org.get(organisation, [])}
    pairs = [
        (v, own_weights[p.text])
        for p, v in values.by_org.get(organisation, [])
        if p.text in own_weights
    ]
    if pairs:
        return sum(v * w for v, w in pairs), sum(w for _, w in pairs)
    parts = [
        weighted(c, tree, values, weights, period) for c in tree.children.get(organisation, [])
    ]
    known = [p for p in parts if p is not None]
    if not known:
        return None
    return sum(p[0] for p in known), sum(p[1] for p in known)


def population(organisation: uuid.UUID, tree: Tree, year: int) -> float | None:
    own = tree.populations.get(organisation, {}).get(year)
    if own is not None:
        return float(own)
    values = [population(c, tree, year) for c in tree.children.get(organisation, [])]
    known = [v for v in values if v is not None]
    return sum(known) if known else None
