"""A line chart of one indicator for one or more organisations over periods, as SVG: pure.

Accessible (`role="img"`, `<title>`, a `<desc>` that tells the data in words, axis labels), and
deterministic: no clock, no random ids (the ids derive from the data), numbers written with a
fixed precision, so the same data gives the same bytes (an ETag of the content holds). A
suppressed or unknown value is a gap in its line, and a note under the chart says which."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

WIDTH = 720
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP = 72, 700, 48
PLOT_BOTTOM = 300
MAX_X_LABELS = 12
# Colours told apart by most colour-blind readers (Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4")


# Characters XML 1.0 cannot hold at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """Text for an SVG element: markup escaped, characters XML cannot hold dropped."""
    return xml_escape(_NOT_XML.sub("", text))


@dataclass(frozen=True)
class Words:
    """The words a chart writes, in one language (English by default; the portal passes its
    reader's). `{name}` marks a value filled in."""

    period: str = "Period"
    head: str = "{title}, in {unit}, {span}, {count} series."
    span: str = "{first} to {last}"
    no_periods: str = "no periods"
    no_value: str = "{label}: no value shown"
    line: str = (
        "{label}: from {first} in {first_period} to {last} in {last_period}, "
        "highest {high} in {high_period}, lowest {low} in {low_period}"
    )
    suppressed_periods: str = "; suppressed (small numbers): {periods}"
    missing_periods: str = "; no figure: {periods}"
    suppressed_gaps: str = "Gaps: {count} value(s) suppressed to protect small numbers."
    missing_gaps: str = "Gaps: {count} period(s) without a figure."


ENGLISH = Words()


@dataclass(frozen=True)
class Point:
    period: str
    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class Line:
    label: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    periods: tuple[str, ...]
    lines: tuple[Line, ...]


def number(value: float) -> str:
    """A figure as the chart writes it: whole numbers as such, else two decimals."""
    if value == int(value):
        return f"{int(value):,}".replace(",", " ")
    return f"{value:,.2f}".replace(",", " ")


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _nice_top(high: float) -> float:
    if high <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(high))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= high:
            return step * magnitude
    return 10 * magnitude


def _describe_line(line: Line, words: Words) -> str:
    shown = [p for p in line.points if p.value is not None and not p.suppressed]
    hidden = [p.period for p in line.points if p.suppressed]
    missing = [p.period for p in line.points if p.value is None and not p.suppressed]
    if not shown:
        text = words.no_value.format(label=line.label)
    else:
        high = max(shown, key=lambda p: p.value or 0)
        low = min(shown, key=lambda p: p.value or 0)
        text = words.line.format(
            label=line.label,
            first=number(shown[0].value or 0),
            first_period=shown[0].period,
            last=number(shown[-1].value or 0),
            last_period=shown[-1].period,
            high=number(high.value or 0),
            high_period=high.period,
            low=number(low.value or 0),
            low_period=low.period,
        )
    if hidden:
        text += words.suppressed_periods.format(periods=", ".join(hidden))
    if missing:
        text += words.missing_periods.format(periods=", ".join(missing))
    return text + "."


def describe(chart: Chart, words: Words = ENGLISH) -> str:
    """The data in words, for a reader who cannot see the chart."""
    span = (
        words.span.format(first=chart.periods[0], last=chart.periods[-1])
        if chart.periods
        else words.no_periods
    )
    head = words.head.format(title=chart.title, unit=chart.unit, span=span, count=len(chart.lines))
    return " ".join([head, *(_describe_line(line, words) for line in chart.lines)])


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def render(chart: Chart, words: Words = ENGLISH) -> bytes:
    """The chart as SVG (UTF-8 bytes), its words in `words`' language."""
    seed = hashlib.sha256(repr(chart).encode()).hexdigest()[:10]
    title_id, desc_id = f"kpi-{seed}-title", f"kpi-{seed}-desc"
    legend_rows = len(chart.lines)
    notes = _notes(chart, words)
    height = PLOT_BOTTOM + 56 + 18 * legend_rows + 18 * len(notes)
    # The axis from the shown values only: a hidden one must not move it.
    shown = [
        p.value
        for line in chart.lines
        for p in line.points
        if p.value is not None and not p.suppressed
    ]
    top = _nice_top(max(shown, default=0.0))
    bottom = min(0.0, min(shown, default=0.0))
    slots = max(len(chart.periods) - 1, 1)

    def x_of(index: int) -> float:
        if len(chart.periods) == 1:
            return (PLOT_LEFT + PLOT_RIGHT) / 2
        return PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * index / slots

    def y_of(value: float) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * (value - bottom) / (top - bottom or 1)

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{title_id} {desc_id}" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(chart, words))}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="{PLOT_LEFT}" y="24" font-size="15" font-weight="bold">'
        f"{escape(chart.title)}</text>",
    ]
    # The y axis: five steps from the bottom to the top, with the unit as its label.
    out.append('<g aria-hidden="true" fill="#333333">')
    for step in range(6):
        value = bottom + (top - bottom) * step / 5
        y = _coordinate(y_of(value))
        out.append(
            f'<line x1="{PLOT_LEFT}" y1="{y}" x2="{PLOT_RIGHT}" y2="{y}" stroke="#dddddd"/>'
            f'<text x="{PLOT_LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(number(value))}</text>"
        )
    middle = _coordinate((PLOT_TOP + PLOT_BOTTOM) / 2)
    out.append(
        f'<text x="16" y="{middle}" text-anchor="middle" '
        f'transform="rotate(-90 16 {middle})">{escape(chart.unit)}</text>'
    )
    # The x axis: the periods, at most twelve labels; the last period always, and no label
    # closer to it than the others are to each other (they would overlap).
    every = max(1, math.ceil(len(chart.periods) / MAX_X_LABELS))
    last = len(chart.periods) - 1
    labelled = {i for i in range(0, last, every) if last - i >= every} | {last}
    out.append(
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" y2="{PLOT_BOTTOM}" '
        'stroke="#333333"/>'
    )
    for index, period in enumerate(chart.periods):
        if index in labelled:
            out.append(
                f'<text x="{_coordinate(x_of(index))}" y="{PLOT_BOTTOM + 18}" '
                f'text-anchor="middle">{escape(period)}</text>'
            )
    out.append(
        f'<text x="{_coordinate((PLOT_LEFT + PLOT_RIGHT) / 2)}" y="{PLOT_BOTTOM + 38}" '
        f'text-anchor="middle">{escape(words.period)}</text>'
    )
    out.append("</g>")
    # The lines: a gap where a value is suppressed or unknown.
    position = {period: index for index, period in enumerate(chart.periods)}
    for number_of_line, line in enumerate(chart.lines):
        colour, dashed = _style(number_of_line)
        placed = [
            None
            if p.value is None or p.suppressed or p.period not in position
            else (x_of(position[p.period]), y_of(p.value))
            for p in line.points
        ]
        out.append(f'<g aria-hidden="true" stroke="{colour}" fill="{colour}">')
        for run in _segments(placed):
            if len(run) > 1:
                path = " ".join(f"{_coordinate(cx)},{_coordinate(cy)}" for cx, cy in run)
                out.append(f'<polyline points="{path}" fill="none" stroke-width="2"{dashed}/>')
            for cx, cy in run:
                out.append(f'<circle cx="{_coordinate(cx)}" cy="{_coordinate(cy)}" r="3"/>')
        out.append("</g>")
    out += _legend(chart, notes)
    out.append("</svg>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _style(number_of_line: int) -> tuple[str, str]:
    """A line's colour and its dash attribute (none for the first)."""
    dash = DASHES[number_of_line % len(DASHES)]
    return PALETTE[number_of_line % len(PALETTE)], (f' stroke-dasharray="{dash}"' if dash else "")


def _legend(chart: Chart, notes: list[str]) -> list[str]:
    """The legend, then the notes on gaps."""
    y = PLOT_BOTTOM + 62
    out = ['<g aria-hidden="true">']
    for number_of_line, line in enumerate(chart.lines):
        colour, dashed = _style(number_of_line)
        out.append(
            f'<line x1="{PLOT_LEFT}" y1="{y - 4}" x2="{PLOT_LEFT + 24}" y2="{y - 4}" '
            f'stroke="{colour}" stroke-width="2"{dashed}/>'
            f'<text x="{PLOT_LEFT + 30}" y="{y}">{escape(line.label)}</text>'
        )
        y += 18
    for note in notes:
        out.append(f'<text x="{PLOT_LEFT}" y="{y}" font-style="italic">{escape(note)}</text>')
        y += 18
    out.append("</g>")
    return out


def _notes(chart: Chart, words: Words) -> list[str]:
    suppressed = sum(1 for line in chart.lines for p in line.points if p.suppressed)
    missing = sum(
        1 for line in chart.lines for p in line.points if p.value is None and not p.suppressed
    )
    notes = []
    if suppressed:
        notes.append(words.suppressed_gaps.format(count=suppressed))
    if missing:
        notes.append(words.missing_gaps.format(count=missing))
    return notes
