"""The periods of a series: every period of a kind that lies inside the span."""

from __future__ import annotations

from kpi.observations.periods import parse_period
from kpi.questions.periods import periods_within, year_before


def test_months_quarters_and_weeks_inside_a_span():
    year = parse_period("2025")
    assert [p.text for p in periods_within(year, "month")][:3] == ["2025-01", "2025-02", "2025-03"]
    assert len(periods_within(year, "month")) == 12
    assert [p.text for p in periods_within(year, "quarter")] == [f"2025-Q{q}" for q in range(1, 5)]
    weeks = periods_within(year, "week")
    # 2025-W01 begins on 30 December 2024 and 2026-W01 ends on 4 January 2026: neither is in.
    assert (weeks[0].text, weeks[-1].text) == ("2025-W02", "2025-W52")
    assert [p.text for p in periods_within(parse_period("2025-03"), "month")] == ["2025-03"]
    assert [p.text for p in periods_within(parse_period("2025-Q2"), "year")] == []


def test_the_same_period_a_year_before():
    assert year_before(parse_period("2025")).text == "2024"
    assert year_before(parse_period("2025-Q3")).text == "2024-Q3"
    assert year_before(parse_period("2025-02")).text == "2024-02"
    assert year_before(parse_period("2025-W10")).text == "2024-W10"
    # 2026 has an ISO week 53 and 2025 none: its year before is 2025's last week.
    assert year_before(parse_period("2026-W53")).text == "2025-W52"
