"""Size classes by population served: a library's is its municipality's, a municipality's its own,
on 1 January of the period's year (docs/decisions/0042)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SizeClassCode = Literal["lt5k", "5k-20k", "20k-50k", "50k-100k", "ge100k"]


@dataclass(frozen=True, slots=True)
class SizeClass:
    code: SizeClassCode
    label: str
    # From `minimum` (included) to `maximum` (excluded; None: no upper bound).
    minimum: int
    maximum: int | None

    def holds(self, people: float) -> bool:
        return self.minimum <= people and (self.maximum is None or people < self.maximum)


SIZE_CLASSES: tuple[SizeClass, ...] = (
    SizeClass("lt5k", "under 5,000", 0, 5_000),
    SizeClass("5k-20k", "5,000 to 19,999", 5_000, 20_000),
    SizeClass("20k-50k", "20,000 to 49,999", 20_000, 50_000),
    SizeClass("50k-100k", "50,000 to 99,999", 50_000, 100_000),
    SizeClass("ge100k", "100,000 or more", 100_000, None),
)
BY_CODE = {c.code: c for c in SIZE_CLASSES}
# Levels whose organisations have a size class.
SIZED_LEVELS = ("library", "municipality")
# Fewer peers with a figure than this: no median (too few to stand for similar libraries).
MIN_PEERS = 3


def size_class(people: float | None) -> SizeClass | None:
    if people is None:
        return None
    return next((c for c in SIZE_CLASSES if c.holds(people)), None)
