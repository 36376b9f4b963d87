"""Each row of an import checked against the indicators, the organisations and the caller's
scope, as the API checks one figure; a problem per bad cell, duplicates named with the row
they repeat."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from chassis.auth import Principal
from kpi.imports.csv_reader import RawRow, RowProblem
from kpi.observations.periods import Period
from kpi.observations.rules import (
    STATUSES,
    IndicatorRules,
    RuleBroken,
    checked_period,
    checked_value,
    entry_problem,
    parsed_value,
)
from kpi.organisations.access import in_scope
from kpi.organisations.natural_codes import Known, Resolution

MAX_COMMENT = 1000
# Records one problem of the row being checked: (column, value, message).
_Bad = Callable[[str, str, str], None]


@dataclass(frozen=True, slots=True)
class ValidRow:
    row: int
    indicator: str
    organisation_id: uuid.UUID
    period: Period
    value: float
    status: str
    comment: str | None


@dataclass(frozen=True, slots=True)
class Context:
    indicators: dict[str, IndicatorRules]
    organisations: Resolution
    principal: Principal
    today: date


class _Checker:
    """Checks rows one by one, remembering what repeats (a period text, a scope answer) so a
    100,000-row file costs a dictionary lookup per repeated cell."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.periods: dict[tuple[str, str], Period | str] = {}
        self.scope: dict[uuid.UUID, bool] = {}
        self.seen: dict[tuple[str, uuid.UUID, str], int] = {}

    def _period(self, rules: IndicatorRules, text: str) -> Period | str:
        key = (rules.code, text)
        found = self.periods.get(key)
        if found is None:
            try:
                found = checked_period(rules, text, today=self.context.today)
            except RuleBroken as exc:
                found = str(exc)
            self.periods[key] = found
        return found

    def _indicator(self, raw: RawRow, bad: _Bad) -> IndicatorRules | None:
        rules = self.context.indicators.get(raw.indicator)
        if rules is None:
            bad("indicator", raw.indicator, f"no indicator {raw.indicator!r}")
        elif (why := entry_problem(rules)) is not None:
            bad("indicator", raw.indicator, why)
            return None
        return rules

    def _organisation(self, raw: RawRow, bad: _Bad) -> Known | None:
        known = self.context.organisations.found.get(raw.organisation)
        if known is None:
            why = self.context.organisations.problems.get(raw.organisation, "no organisation")
            bad("organisation", raw.organisation, why)
            return None
        allowed = self.scope.get(known.id)
        if allowed is None:
            allowed = self.scope[known.id] = in_scope(self.context.principal, known)
        if not allowed:
            bad("organisation", raw.organisation, f"you may not enter figures for {known.code}")
            return None
        return known

    def _figure(self, raw: RawRow, rules: IndicatorRules, bad: _Bad) -> tuple[Period, float] | None:
        period = self._period(rules, raw.period)
        if isinstance(period, str):
            bad("period", raw.period, period)
        try:
            value = checked_value(rules, parsed_value(raw.value))
        except RuleBroken as exc:
            bad("value", raw.value, str(exc))
            return None
        return None if isinstance(period, str) else (period, value)

    @staticmethod
    def _extras(raw: RawRow, bad: _Bad) -> None:
        if raw.status and raw.status not in STATUSES:
            bad("status", raw.status, f"the status is one of {', '.join(STATUSES)}")
        if len(raw.comment) > MAX_COMMENT:
            bad(
                "comment", raw.comment[:40] + "…", f"a comment has at most {MAX_COMMENT} characters"
            )

    def check(self, raw: RawRow, problems: list[RowProblem]) -> ValidRow | None:
        before = len(problems)

        def bad(column: str, value: str, message: str) -> None:
            problems.append(RowProblem(raw.row, column, value, message))

        rules = self._indicator(raw, bad)
        known = self._organisation(raw, bad)
        figure = None if rules is None else self._figure(raw, rules, bad)
        self._extras(raw, bad)
        if len(problems) > before or rules is None or known is None or figure is None:
            return None
        period, value = figure
        key = (rules.code, known.id, period.text)
        earlier = self.seen.get(key)
        if earlier is not None:
            bad(
                "period",
                raw.period,
                f"row {earlier} gives the same figure (indicator, organisation, period)",
            )
            return None
        self.seen[key] = raw.row
        return ValidRow(
            row=raw.row,
            indicator=rules.code,
            organisation_id=known.id,
            period=period,
            value=value,
            status=raw.status or "provisional",
            comment=raw.comment or None,
        )


def validate(rows: list[RawRow], context: Context) -> tuple[list[ValidRow], list[RowProblem]]:
    checker = _Checker(context)
    valid: list[ValidRow] = []
    problems: list[RowProblem] = []
    for raw in rows:
        checked = checker.check(raw, problems)
        if checked is not None:
            valid.append(checked)
    return valid, problems
