"""ISO 8601 periods: each form's first and last day, and why a text is none."""

from __future__ import annotations

from datetime import date

import pytest

from kpi.observations.periods import PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2025", "year", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-Q1", "quarter", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025-Q4", "quarter", date(2025, 10, 1), date(2025, 12, 31)),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-12", "month", date(2025, 12, 1), date(2025, 12, 31)),
        ("2025-W01", "week", date(2024, 12, 30), date(2025, 1, 5)),
        ("2026-W53", "week", date(2026, 12, 28), date(2027, 1, 3)),
    ],
)
def test_each_form_covers_its_days(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2025-W53", "no ISO week 53"),
        ("2025-13", "not an ISO 8601 period"),
        ("2025-Q5", "not an ISO 8601 period"),
        ("25-03", "not an ISO 8601 period"),
        ("2025-3", "not an ISO 8601 period"),
        ("1899", "outside"),
        ("\uff12\uff10\uff12\uff15", "not an ISO 8601 period"),  # full-width digits
    ],
)
def test_what_is_no_period_says_why(text, why):
    with pytest.raises(PeriodError, match=why):
        parse_period(text)


def test_a_year_contains_its_months_and_weeks_inside_it():
    year = parse_period("2025")
    assert year.contains(parse_period("2025-03"))
    assert year.contains(parse_period("2025-W10"))
    assert not year.contains(parse_period("2025-W01"))
