"""Which cells of a dataset's table are totals of which others, for secondary suppression.

A cell is (organisation, period). Across organisations: an organisation's figure is the total of
its nearest descendants in the dataset (for the rules that add organisations: sum, last).
Across time: a period's figure is the total of the dataset's periods nearest inside it (for
`sum` only). A relation is listed whether or not the parts cover the whole: a relation that is
not exact can only hide more, never reveal."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence

from kpi.observations.periods import Period
from kpi.publication.suppression import Total

Cell = tuple[uuid.UUID, str]

ADDS_ORGANISATIONS = frozenset({"sum", "last"})
ADDS_PERIODS = frozenset({"sum"})


def nearest_ancestors(
    members: Sequence[uuid.UUID], parents: Mapping[uuid.UUID, uuid.UUID | None]
) -> dict[uuid.UUID, uuid.UUID]:
    """For each member, its nearest ancestor that is also a member (if any)."""
    chosen = set(members)
    found: dict[uuid.UUID, uuid.UUID] = {}
    for member in members:
        seen: set[uuid.UUID] = {member}
        step = parents.get(member)
        while step is not None and step not in seen:
            if step in chosen:
                found[member] = step
                break
            seen.add(step)
            step = parents.get(step)
    return found


def _inside(inner: Period, outer: Period) -> bool:
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (inner.start, inner.end) != (outer.start, outer.end)
    )


def nearest_inside(periods: Sequence[Period]) -> dict[str, list[str]]:
    """For each period, the dataset's periods inside it with no other dataset period between."""
    out: dict[str, list[str]] = {}
    for outer in periods:
        inner = [p for p in periods if _inside(p, outer)]
        nearest = [p for p in inner if not any(_inside(p, q) for q in inner)]
        if nearest:
            out[outer.text] = [p.text for p in nearest]
    return out


def relations(
    rule: str,
    organisations: Sequence[uuid.UUID],
    parents: Mapping[uuid.UUID, uuid.UUID | None],
    periods: Sequence[Period],
) -> list[Total[Cell]]:
    """The totals of one indicator's table, in a stable order."""
    found: list[Total[Cell]] = []
    if rule in ADDS_ORGANISATIONS:
        children: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        for member, ancestor in nearest_ancestors(organisations, parents).items():
            children[ancestor].append(member)
        for organisation in organisations:
            if children.get(organisation):
                for period in periods:
                    parts = tuple((child, period.text) for child in children[organisation])
                    found.append(Total((organisation, period.text), parts))
    if rule in ADDS_PERIODS:
        inside = nearest_inside(periods)
        for organisation in organisations:
            for period in periods:
                if period.text in inside:
                    parts = tuple((organisation, text) for text in inside[period.text])
                    found.append(Total((organisation, period.text), parts))
    return found
