"""make bench's services stage: the scripts' output read, and the verdicts on their goals
(medians over rounds, inconclusive below three rounds, within the spread or at other sizes)."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from platform_bench import report  # noqa: E402
from platform_bench.services_stage import (  # noqa: E402
    MEASURE_BY_KEY,
    MEASURES,
    parse_harvest,
    parse_import,
    parse_rollup,
    parse_search,
    summarise,
    verdict,
)


def test_the_kpi_scripts_lines_are_read():
    assert parse_rollup(
        "sqlite: 240,000 observations; roll-up to the country of one indicator over 2025: "
        "median 41.2 ms, p95 77.9 ms (40 runs)"
    ) == pytest.approx(77.9)
    assert parse_import(
        "postgresql: 100,000 rows (4.1 MB); parse 0.61 s, parse+check 2.30 s, "
        "write 6.02 s (100,000 new); total 8.32 s"
    ) == pytest.approx(8.32)
    assert parse_harvest(
        "sqlite: 20,000 events (200 library.created) in 2.31 s: 8,658 events/s"
    ) == pytest.approx(8658)
    with pytest.raises(ValueError, match="p95"):
        parse_rollup("Traceback (most recent call last): ...")


def test_the_search_scripts_json_line_is_read_and_nothing_else():
    line = '{"corpus": "judged", "backend": "sqlite", "p95_ms": 7.44, "p95_by_round_ms": [7.4]}'
    assert parse_search(f"loading\n{line}\n") == pytest.approx(7.44)
    with pytest.raises(ValueError, match="one JSON line"):
        parse_search("")
    with pytest.raises(ValueError, match="one JSON line"):
        parse_search(f"{line}\n{line}\n")


def test_every_goal_of_the_issues_is_there_with_its_target():
    goals = {m.key: (m.op, m.target) for m in MEASURES if m.target is not None}
    assert goals == {
        "search-judged": ("<=", 20.0),
        "search-generated": ("<=", 50.0),
        "search-articles": ("<=", 20.0),
        "kpi-rollup": ("<=", 200.0),
        "kpi-import": ("<=", 15.0),
        "kpi-harvest": (">=", 5000.0),
    }


@pytest.mark.parametrize(
    ("key", "values", "reached", "verdict_starts"),
    [
        ("search-judged", [7.0, 9.0, 8.0], True, "reached"),
        ("search-judged", [27.0, 21.0, 30.0], False, "MISSED"),
        # The target lies between the rounds: some rounds met it, some did not.
        ("search-judged", [12.0, 18.0, 24.0], None, "inconclusive: the target is within"),
        ("search-judged", [7.0, 9.0], None, "inconclusive: 2 round(s)"),
        ("kpi-harvest", [6100.0, 5900.0, 6400.0], True, "reached"),
        ("kpi-harvest", [4100.0, 3900.0, 4400.0], False, "MISSED"),
        ("kpi-harvest", [4900.0, 5200.0, 5600.0], None, "inconclusive: the target is within"),
        ("kpi-import", [], None, "not measured"),
    ],
)
def test_verdicts_follow_the_benchs_rules(key, values, reached, verdict_starts):
    out = verdict(MEASURE_BY_KEY[key], values, quick=False)
    assert out["reached"] is reached
    assert out["verdict"].startswith(verdict_starts), out
    if values:
        assert out["value"] == sorted(values)[len(values) // 2] or len(values) % 2 == 0


def test_a_quick_run_at_other_sizes_gives_no_verdict_and_a_figure_without_goal_none():
    quick = verdict(MEASURE_BY_KEY["kpi-harvest"], [9000.0, 9100.0, 9200.0], quick=True)
    assert quick["reached"] is None
    assert quick["verdict"] == "inconclusive: quick run: 5,000 events, not 20,000"
    # The search's quick run measures the goal's corpora: a verdict all the same.
    assert verdict(MEASURE_BY_KEY["search-judged"], [7.0, 8.0, 9.0], quick=True)["reached"]
    ics = verdict(MEASURE_BY_KEY["ics-304-G"], [160.0, 220.0, 150.0], quick=False)
    assert (ics["value"], ics["reached"], ics["verdict"]) == (160.0, None, "figure only (no goal)")


def test_the_summary_has_a_row_per_measure_and_database_from_each_rounds_figure():
    records = [
        {"round": n, "measure": "search-judged", "backend": backend, "value": value}
        for backend, values in (("sqlite", [8.0, 6.0, 7.0]), ("postgresql", [25.0, 22.0, 24.0]))
        for n, value in enumerate(values, 1)
    ]
    records.append({"round": 1, "measure": "ics-full-G", "backend": "sqlite", "value": 50.0})
    rows = summarise(records, quick=False, backends=["sqlite", "postgresql"])
    by = {(r["measure"], r["backend"]): r for r in rows}
    assert by[("search-judged", "sqlite")]["values"] == [8.0, 6.0, 7.0]
    assert (
        by[("search-judged", "sqlite")]["value"],
        by[("search-judged", "sqlite")]["verdict"],
    ) == (
        7.0,
        "reached",
    )
    assert by[("search-judged", "postgresql")]["verdict"] == "MISSED"
    assert by[("search-judged", "postgresql")]["target"] == "< 20"
    assert by[("kpi-harvest", "postgresql")]["target"] == ">= 5000"
    # The .ics feed is served from SQLite only: no PostgreSQL row; unmeasured rows say so.
    assert ("ics-full-G", "postgresql") not in by
    assert by[("kpi-import", "sqlite")]["verdict"] == "not measured"

    text = report.render(
        {
            "git": {"short": "abc1234", "dirty": False},
            "loads": {"rounds": 3, "seconds": 5},
            "machine": {"cores": 2},
            "records": [],
            "stages": ["services"],
            "summary": {"rows": [], "goals": []},
            "services": {"rows": rows, "notes": ["no PostgreSQL answered: SQLite only"]},
        }
    )
    assert "training search p95, judged corpus (160 documents), sqlite" in text
    assert "7.0 (target < 20 ms; rounds 8.0, 6.0, 7.0): reached" in text
    assert "note: no PostgreSQL answered" in text
    assert "kpi CSV import" not in text
