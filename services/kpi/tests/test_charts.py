"""The SVG renderer, pure: accessible, the same bytes for the same data, text escaped, a gap
(not a zero) where a value is suppressed or unknown."""

from __future__ import annotations

import itertools
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.charts.svg import Chart, Line, Point, describe, render

NS = "{http://www.w3.org/2000/svg}"


def _chart(label: str = "Bodø bibliotek") -> Chart:
    points = (
        Point("2025-01", 120),
        Point("2025-02", None, suppressed=True),
        Point("2025-03", 140.5),
        Point("2025-04", None),
        Point("2025-05", 90),
    )
    return Chart(
        title='Loans <per month> & "more"',
        unit="loans",
        periods=tuple(p.period for p in points),
        lines=(Line(label, points), Line("Deichman", tuple(Point(p.period, 1000) for p in points))),
    )


def test_the_same_data_gives_the_same_bytes_and_other_data_others() -> None:
    assert render(_chart()) == render(_chart())
    assert render(_chart()) != render(_chart("Another library"))


def test_it_is_accessible_well_formed_svg_with_the_data_in_words() -> None:
    root = ElementTree.fromstring(render(_chart()))  # noqa: S314 (our own output)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title = root.find(f"{NS}title")
    desc = root.find(f"{NS}desc")
    assert title is not None
    assert title.text == 'Loans <per month> & "more"'
    assert desc is not None
    assert desc.text == describe(_chart())
    labelled = (root.get("aria-labelledby") or "").split()
    assert labelled == [title.get("id"), desc.get("id")]
    assert "from 120 in 2025-01 to 90 in 2025-05, highest 140.50 in 2025-03" in desc.text
    assert "suppressed (small numbers): 2025-02; no figure: 2025-04" in desc.text
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Period" in texts
    assert "loans" in texts
    assert "Gaps: 1 value(s) suppressed to protect small numbers." in texts


def test_a_suppressed_value_is_a_gap_in_the_line() -> None:
    root = ElementTree.fromstring(render(_chart()))  # noqa: S314 (our own output)
    groups = [g for g in root.iter(f"{NS}g") if g.get("stroke") == "#0072B2"]
    [bodo] = groups
    # 2025-02 and 2025-04 are gaps: three runs of one point each, no polyline across them.
    assert bodo.findall(f"{NS}polyline") == []
    assert len(bodo.findall(f"{NS}circle")) == 3


def test_two_years_of_months_label_the_axis_without_crowding_its_end() -> None:
    periods = tuple(f"{year}-{month:02}" for year in (2024, 2025) for month in range(1, 13))
    chart = Chart(
        title="Loans",
        unit="loans",
        periods=periods,
        lines=(Line("Deichman", tuple(Point(p, 100.0) for p in periods)),),
    )
    root = ElementTree.fromstring(render(chart))  # noqa: S314 (our own output)
    shown = [periods.index(t.text) for t in root.iter(f"{NS}text") if t.text in periods]
    assert shown[0] == 0
    assert shown[-1] == len(periods) - 1
    assert len(shown) <= 12
    # As far apart at the end as anywhere else (2025-11 and 2025-12 overlapped before).
    gaps = [b - a for a, b in itertools.pairwise(shown)]
    assert min(gaps) >= 2


@settings(max_examples=100, deadline=None)
# Any text, control characters too.
@given(
    st.text(min_size=1, max_size=30),
    st.lists(st.floats(-1e6, 1e6) | st.none(), min_size=1, max_size=14),
)
def test_any_label_and_values_give_well_formed_deterministic_svg(
    label: str, values: list[float | None]
) -> None:
    periods = tuple(
        f"2025-{i + 1:02d}" if i < 12 else f"2026-{i - 11:02d}" for i in range(len(values))
    )
    chart = Chart(
        title=label,
        unit=label,
        periods=periods,
        lines=(Line(label, tuple(Point(p, v) for p, v in zip(periods, values, strict=True))),),
    )
    svg = render(chart)
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output)
    assert root.find(f"{NS}title") is not None
    assert svg == render(chart)
