"""The COUNTER reader on the published sample reports (tests/data/counter, see SOURCE.md): each
figure it answers is computed here again another way from the same file, never written down."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kpi.usage.counter.model import NotCounter, Report
from kpi.usage.counter.reader import read_report

DATA = Path(__file__).resolve().parent / "data" / "counter"
MEDIA = {".json": "application/json", ".tsv": "text/tab-separated-values", ".csv": "text/csv"}
REPORTS = sorted(p.name for p in DATA.iterdir() if p.suffix in MEDIA and "naked" not in p.name)


def _read(name: str) -> Report:
    path = DATA / name
    read = read_report(path.read_bytes(), MEDIA[path.suffix])
    assert isinstance(read, Report)
    return read


def _totals(report: Report) -> dict[str, int]:
    return {metric: sum(months.values()) for metric, months in report.metrics.items() if months}


def _walk_counts(node: Any, found: Counter[str]) -> None:
    """Every count anywhere in a JSON report: R5 Instances, R5.1 Performance objects."""
    if isinstance(node, dict):
        if "Metric_Type" in node and "Count" in node:
            found[node["Metric_Type"]] += node["Count"]
        performance = node.get("Performance")
        if isinstance(performance, dict):
            for metric, counts in performance.items():
                found[metric] += sum(counts.values())
        for key, value in node.items():
            if key != "Performance" or not isinstance(value, dict):
                _walk_counts(value, found)
    elif isinstance(node, list):
        for item in node:
            _walk_counts(item, found)


@pytest.mark.parametrize("name", [n for n in REPORTS if n.endswith(".json")])
def test_json_totals_are_every_count_in_the_file(name):
    document = json.loads((DATA / name).read_text(encoding="utf-8-sig"))
    found: Counter[str] = Counter()
    _walk_counts(document.get("Report_Items", []), found)
    assert _totals(_read(name)) == {m: c for m, c in found.items() if c}


@pytest.mark.parametrize("name", [n for n in REPORTS if not n.endswith(".json")])
def test_tabular_totals_are_the_reporting_period_totals(name):
    text = (DATA / name).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if name.endswith(".tsv") else ","))
    start = next(i for i, row in enumerate(rows) if "Metric_Type" in row)
    header = rows[start]
    found: Counter[str] = Counter()
    for row in rows[start + 1 :]:
        if any(row):
            found[row[header.index("Metric_Type")]] += int(
                row[header.index("Reporting_Period_Total")]
            )
    assert _totals(_read(name)) == {m: c for m, c in found.items() if c}


def test_the_tabular_and_json_forms_of_one_report_agree():
    as_json, as_tsv = _read("cop5-503-Sample-TR.json"), _read("cop5-503-Sample-TR.tsv")
    assert as_json.metrics == as_tsv.metrics
    assert as_json.report_items == as_tsv.report_items
    assert (as_json.begin_date, as_json.end_date) == (as_tsv.begin_date, as_tsv.end_date)


def test_headers_of_both_releases():
    r5 = _read("cop5-503-Sample-PR.json")
    assert (r5.release, r5.report_id, str(r5.begin_date), str(r5.end_date)) == (
        "5",
        "PR",
        "2016-01-01",
        "2016-03-31",
    )
    r51 = _read("cop5-51-DRD1_sample_r51.tsv")
    assert (r51.release, r51.report_id) == ("5.1", "DR_D1")
    months = {m for counts in r51.metrics.values() for m in counts}
    assert min(months) == "2022-01"
    assert max(months) == "2022-12"


def test_an_item_reports_items_are_counted_under_their_parents():
    document = json.loads((DATA / "cop5-51-IR_sample_r51.json").read_text(encoding="utf-8"))
    items = sum(len(parent.get("Items", [parent])) for parent in document["Report_Items"])
    assert _read("cop5-51-IR_sample_r51.json").report_items == items


def test_exceptions_as_the_code_of_practice_says():
    no_usage = _read("celus-5-DR-empty.json")
    assert [(e.code, e.is_error) for e in no_usage.exceptions] == [(3030, False)]
    assert not no_usage.has_usage
    not_ready = _read("celus-51-PR_empty_r51.json")
    assert [(e.code, e.is_error) for e in not_ready.exceptions] == [(3031, False)]
    naked = read_report((DATA / "nigiri-5-naked_errors.json").read_bytes(), "application/json")
    assert isinstance(naked, list)
    assert [(e.code, e.is_error) for e in naked] == [(1011, True), (3060, False)]


def test_a_vendors_empty_months_are_no_usage():
    document = json.loads((DATA / "folio-dr_with_empty_months.json").read_text(encoding="utf-8"))
    present = {
        p["Period"]["Begin_Date"][:7]
        for item in document["Report_Items"]
        for p in item["Performance"]
    }
    folio = _read("folio-dr_with_empty_months.json")
    assert {m for counts in folio.metrics.values() for m in counts} == present
    assert len(present) == 1  # of the three months the report covers


@pytest.mark.parametrize(
    ("body", "media", "why"),
    [
        (b"{}", "application/json", "Report_Header"),
        (b"not json", "application/json", "not JSON"),
        (b'{"Report_Header": {"Release": "4", "Report_ID": "JR1"}}', "application/json", "Release"),
        (
            b'{"Report_Header": {"Release": "5", "Report_ID": "XX"}}',
            "application/json",
            "Report_ID",
        ),
        (b"a\tb\n", "text/tab-separated-values", "header"),
        (b"", "application/json", "empty"),
    ],
)
def test_what_is_not_counter_says_why(body, media, why):
    with pytest.raises(NotCounter, match=why):
        read_report(body, media)


def test_a_tabular_total_that_is_not_its_months_sum_is_refused():
    text = (DATA / "cop5-503-Sample-TR.tsv").read_text(encoding="utf-8-sig").splitlines()
    cells = text[14].split("\t")
    total_at = text[13].split("\t").index("Reporting_Period_Total")
    cells[total_at] = str(int(cells[total_at]) + 1)
    text[14] = "\t".join(cells)
    with pytest.raises(NotCounter, match="row 15: Reporting_Period_Total"):
        read_report("\n".join(text).encode(), "text/tab-separated-values")
