"""Small-number suppression of a table of cells, pure: primary and secondary.

Primary: a cell whose value is above zero and below the indicator's threshold is hidden.

Secondary: a published total and its published parts must never leave exactly one hidden cell
among them, or that cell is the total minus the others. For every such relation (a total and
its parts) with exactly one hidden cell, one more is hidden: the part with the smallest value
above zero (never a zero: the pair "x + 0" gives x away), else the total. Hiding a cell can leave
another relation with one hidden cell, so the rule runs until nothing changes (each round hides
one more cell: it ends).

That rule alone still lets relations taken together give a cell away (a row's total and a
column's, each with two hidden cells, can pin the corner they share). So the result is audited:
the relations are solved for the hidden cells (exact elimination in fractions), and while a
small cell comes out pinned, one more cell of a relation it is in is hidden and the rule runs
again. Every round hides one more cell and a table whose every cell above zero is hidden pins
none of them (a pinned value would have to be zero): it ends. See docs/decisions/0040."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Total(Generic[Key]):
    """`total` is (or is taken to be) the sum of `parts`."""

    total: Key
    parts: tuple[Key, ...]


def is_small(value: float | None, threshold: int | None) -> bool:
    return threshold is not None and value is not None and 0 < value < threshold


def suppressed_cells(
    values: Mapping[Key, float | None],
    threshold: int | None,
    totals: Sequence[Total[Key]],
    *,
    hidden: frozenset[Key] = frozenset(),
) -> set[Key]:
    """The cells to hide: those below the threshold, those in `hidden` (hidden for another
    reason, a ratio's numerator), and those hidden so that none of them can be recovered from a
    relation. `values` holds every cell (None: no figure, published as such)."""
    order = {key: index for index, key in enumerate(values)}
    out = {key for key, value in values.items() if is_small(value, threshold)} | set(hidden)
    if not out:
        return out
    sensitive = set(out)
    while True:
        _no_relation_with_one_hidden(values, totals, out, order)
        pinned = pinned_cells(out, totals) & sensitive
        if not pinned:
            return out
        if not _hide_one_more(values, totals, out, order, min(pinned, key=order.__getitem__)):
            return out


def _no_relation_with_one_hidden(
    values: Mapping[Key, float | None],
    totals: Sequence[Total[Key]],
    out: set[Key],
    order: Mapping[Key, int],
) -> None:
    changed = True
    while changed:
        changed = False
        for relation in totals:
            cells = (relation.total, *relation.parts)
            if sum(1 for cell in cells if cell in out) != 1:
                continue
            candidates = [
                part for part in relation.parts if part not in out and (values.get(part) or 0) > 0
            ]
            if candidates:
                out.add(min(candidates, key=lambda part: (values[part] or 0, order[part])))
                changed = True
            elif relation.total not in out and (values.get(relation.total) or 0) > 0:
                out.add(relation.total)
                changed = True


def _hide_one_more(
    values: Mapping[Key, float | None],
    totals: Sequence[Total[Key]],
    out: set[Key],
    order: Mapping[Key, int],
    pinned: Key,
) -> bool:
    """Hide the smallest published cell above zero of a relation `pinned` is in (else of any
    relation with a hidden cell); False when there is none left to hide."""
    for near in (True, False):
        candidates = [
            cell
            for relation in totals
            if (pinned in (relation.total, *relation.parts))
            or (not near and any(c in out for c in (relation.total, *relation.parts)))
            for cell in (relation.total, *relation.parts)
            if cell not in out and (values.get(cell) or 0) > 0
        ]
        if candidates:
            out.add(min(candidates, key=lambda cell: (values[cell] or 0, order[cell])))
            return True
    return False


def pinned_cells(hidden: set[Key], totals: Sequence[Total[Key]]) -> set[Key]:
    """The hidden cells whose value the relations, taken together, determine exactly: those
    left alone in a row of the reduced row echelon form of the relations over the hidden cells
    (the published cells are known numbers; they only move to the right-hand side)."""
    cells = dict.fromkeys(cell for r in totals for cell in (r.total, *r.parts))
    unknowns = [cell for cell in cells if cell in hidden]
    index = {cell: i for i, cell in enumerate(unknowns)}
    rows: list[dict[int, Fraction]] = []
    for relation in totals:
        row: dict[int, Fraction] = {}
        for cell, sign in ((relation.total, 1), *((part, -1) for part in relation.parts)):
            if cell in index:
                row[index[cell]] = row.get(index[cell], Fraction(0)) + sign
        row = {column: x for column, x in row.items() if x != 0}
        if row:
            rows.append(row)
    reduced: list[dict[int, Fraction]] = []
    for column in range(len(unknowns)):
        found = next((r for r in rows if column in r), None)
        if found is None:
            continue
        rows.remove(found)
        lead = found[column]
        found = {c: x / lead for c, x in found.items()}
        for group in (rows, reduced):
            for i, other in enumerate(group):
                if column in other:
                    factor = other[column]
                    merged = dict(other)
                    for c, x in found.items():
                        merged[c] = merged.get(c, Fraction(0)) - factor * x
                    group[i] = {c: x for c, x in merged.items() if x != 0}
        reduced.append(found)
    return {unknowns[next(iter(row))] for row in reduced if len(row) == 1}
