"""The statistics the figures use: median and 90th percentile (nearest rank), compliance."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of values at or
    below it (None for no values). Nearest rank answers a value that really occurred."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle ones for an even count."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def compliance(met: int, total: int) -> float | None:
    """The share met, as a percentage with one decimal (None when nothing was measured)."""
    if total == 0:
        return None
    return round(100 * met / total, 1)
