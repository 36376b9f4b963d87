"""What makes a figure acceptable, as plain checks: the API turns a failure into a problem naming
the field, the CSV import into a row of its validation report."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from kpi.observations.periods import Period, PeriodError, parse_period

STATUSES = ("provisional", "final")
# Large enough for any library's figure, small enough to stay exact in a double.
MAX_ABS_VALUE = 1e15


@dataclass(frozen=True, slots=True)
class IndicatorRules:
    """What a figure's checks need of its indicator."""

    code: str
    value_type: str
    rollup: str
    periodicity: str

    @property
    def derived(self) -> bool:
        return self.rollup == "ratio"


class RuleBroken(ValueError):
    """Why a figure is not acceptable (the message says it to a person)."""


def entry_problem(indicator: IndicatorRules) -> str | None:
    if indicator.derived:
        return (
            f"{indicator.code} is computed from its numerator and denominator; "
            "enter those figures instead"
        )
    return None


def checked_period(indicator: IndicatorRules, text: str, *, today: date) -> Period:
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise RuleBroken(str(exc)) from exc
    if period.kind != indicator.periodicity:
        raise RuleBroken(
            f"{indicator.code} is observed per {indicator.periodicity}, "
            f"and {text!r} is a {period.kind}"
        )
    if period.start > today:
        raise RuleBroken(f"{text} has not begun yet")
    return period


def checked_value(indicator: IndicatorRules, value: float) -> float:
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        raise RuleBroken("the value is not a finite number within ±10^15")
    if indicator.value_type in ("count", "duration") and value < 0:
        raise RuleBroken(f"a {indicator.value_type} is never negative")
    if indicator.value_type == "count" and value != int(value):
        raise RuleBroken("a count is a whole number")
    return value


def parsed_value(text: str) -> float:
    """A number as a CSV cell writes it: a point for decimals, no thousands separators."""
    cleaned = text.strip()
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise RuleBroken(
            f"{text!r} is not a number (write 1234.5: a point, no separators)"
        ) from exc
    if cleaned.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"):
        raise RuleBroken(f"{text!r} is not a number")
    return value
