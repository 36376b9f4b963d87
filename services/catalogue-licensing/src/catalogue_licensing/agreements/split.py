"""Splitting an agreement's yearly price among participating counties (largest remainder, exact)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never


class SplitKey(StrEnum):
    """How an agreement's cost is divided among the counties that take part."""

    per_inhabitant = "per_inhabitant"
    equal = "equal"
    fixed_weights = "fixed_weights"


class SplitError(ValueError):
    """The inputs do not define a split (no basis, a negative total, a weight that is not allowed)."""

    def __init__(self, reason: str, *, counties: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.counties = tuple(counties)


@dataclass(frozen=True)
class Share:
    """One county's part of the total: `amount` minor units, computed from `basis`."""

    county: str
    amount: int
    basis: int


def _is_int(value: object) -> bool:
    # bool is an int subclass; True as a weight or population is a bug upstream, not a 1.
    return isinstance(value, int) and not isinstance(value, bool)


def largest_remainder(total: int, bases: Mapping[str, int]) -> dict[str, int]:
    """Divide `total` in proportion to `bases`, in whole units, adding up to `total` exactly.

    Each key first gets the floor of its exact quota; the units left over (fewer than the number
    of keys) go one each to the largest remainders. Ties go to the smaller key, so the result
    depends on the keys and bases only, never on the order they were given in. Integer
    arithmetic throughout: a float quota would round differently on large totals.
    """
    if not _is_int(total):
        raise SplitError("the total must be an integer number of minor units")
    if total < 0:
        raise SplitError("the total must not be negative")
    for key, basis in bases.items():
        if not _is_int(basis) or basis < 0:
            raise SplitError(f"the basis of {key} must be a non-negative integer", counties=[key])
    basis_sum = sum(bases.values())
    if basis_sum == 0:
        raise SplitError("the bases add up to zero: nothing to split by", counties=sorted(bases))
    floors: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for key in sorted(bases):
        quotient, remainder = divmod(total * bases[key], basis_sum)
        floors[key] = quotient
        remainders.append((remainder, key))
    left_over = total - sum(floors.values())
    # Largest remainder first; among equal remainders the smaller key first.
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, key in remainders[:left_over]:
        floors[key] += 1
    return floors


def split_cost(
    total: int,
    split_key: SplitKey,
    counties: Sequence[str],
    *,
    populations: Mapping[str, int] | None = None,
    weights: Mapping[str, int] | None = None,
) -> list[Share]:
    """The shares of `counties` in `total`, by `split_key`, ordered by county number.

    per_inhabitant needs a population for every county, fixed_weights a positive integer weight
    for every county; a county without one is named in the error. No counties, no shares.
    """
    unique = sorted(set(counties))
    if len(unique) != len(counties):
        raise SplitError("a county is listed twice", counties=sorted(counties))
    if not unique:
        return []
    bases: dict[str, int]
    if split_key is SplitKey.equal:
        bases = dict.fromkeys(unique, 1)
    elif split_key is SplitKey.per_inhabitant:
        populations = populations or {}
        missing = [c for c in unique if c not in populations]
        if missing:
            raise SplitError("no population known for these counties", counties=missing)
        bases = {c: populations[c] for c in unique}
    elif split_key is SplitKey.fixed_weights:
        weights = weights or {}
        missing = [c for c in unique if c not in weights]
        if missing:
            raise SplitError(
                "the weights do not cover these participating counties", counties=missing
            )
        bad = [c for c in unique if not _is_int(weights[c]) or weights[c] < 1]
        if bad:
            raise SplitError("weights must be positive integers", counties=bad)
        bases = {c: weights[c] for c in unique}
    else:
        assert_never(split_key)
    amounts = largest_remainder(total, bases)
    return [Share(county=c, amount=amounts[c], basis=bases[c]) for c in unique]
