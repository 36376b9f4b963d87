"""Charts from a dataset's table and from a series: which lines, which points."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kpi.charts.svg import Chart, Line, Point
from kpi.portal.figures import median_line
from kpi.publication.schemas import CellOut, DatasetDataOut
from kpi.questions.schemas import SeriesOut


def dataset_chart(data: DatasetDataOut, *, indicator: str, title: str, unit: str) -> Chart:
    """One line per organisation over the dataset's periods, for one of its indicators."""
    cells = [c for c in data.items if c.indicator == indicator]
    periods = tuple(dict.fromkeys(c.period for c in cells))
    lines: dict[uuid.UUID, tuple[str, list[Point]]] = {}
    for cell in cells:
        label = f"{cell.organisation_name} ({cell.organisation})"
        points = lines.setdefault(cell.organisation_id, (label, []))[1]
        points.append(Point(cell.period, cell.value, suppressed=cell.status == "suppressed"))
    return Chart(
        title=title,
        unit=unit,
        periods=periods,
        lines=tuple(Line(label, tuple(points)) for label, points in lines.values()),
    )


def series_chart(series: SeriesOut, *, title: str, unit: str) -> Chart:
    periods = tuple(dict.fromkeys(item.period for item in series.items))
    lines: dict[uuid.UUID, tuple[str, list[Point]]] = {}
    for item in series.items:
        points = lines.setdefault(item.organisation_id, (item.organisation, []))[1]
        points.append(Point(item.period, item.value))
    return Chart(
        title=title,
        unit=unit,
        periods=periods,
        lines=tuple(Line(label, tuple(points)) for label, points in lines.values()),
    )


@dataclass(frozen=True)
class ChartText:
    """An organisation chart's words: its title, unit and the two lines' labels."""

    title: str
    unit: str
    label: str
    median_label: str


def organisation_chart(
    cells: Mapping[tuple[str, uuid.UUID, str], CellOut],
    *,
    indicator: str,
    organisation: uuid.UUID,
    peers: Sequence[uuid.UUID],
    periods: Sequence[str],
    text: ChartText,
) -> Chart:
    """One organisation's line in a dataset, and its peers' median where there is one (the
    portal's chart, and the embeddable one: the same bytes)."""
    own = [
        Point(period, cell.value, suppressed=cell.status == "suppressed")
        for period in periods
        if (cell := cells.get((indicator, organisation, period))) is not None
    ]
    lines = [Line(text.label, tuple(own))]
    medians = median_line(cells, indicator=indicator, peers=peers, periods=list(periods))
    if any(value is not None for value in medians):
        lines.append(
            Line(
                text.median_label,
                tuple(Point(p, v) for p, v in zip(periods, medians, strict=True)),
            )
        )
    return Chart(title=text.title, unit=text.unit, periods=tuple(periods), lines=tuple(lines))
