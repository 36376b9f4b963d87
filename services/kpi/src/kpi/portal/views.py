"""The portal's pages as Jinja2 renders them: which datasets, rows, charts and rankings a page
shows, in the reader's language. Pure: PortalData in, HTML out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment
from markupsafe import Markup

from chassis.pages import Strings, templates
from kpi.charts.build import ChartText, organisation_chart
from kpi.charts.svg import Words, render
from kpi.portal.figures import Figure, Standing, median_line, standing
from kpi.portal.service import IndicatorText, Place, PortalData, PublicDataset

HERE = Path(__file__).resolve().parent
STRINGS = Strings(HERE / "strings.json")
LANGUAGES = ("nb", "nn", "en", "nl")
LANGUAGE_NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English", "nl": "Nederlands"}
# Where an indicator's name or description is looked for when missing in the reader's language.
_TEXT_FALLBACK = {
    "nb": ("nb", "nn", "en"),
    "nn": ("nn", "nb", "en"),
    "en": ("en",),
    "nl": ("nl", "en"),
}
_ENVIRONMENT = templates(HERE / "templates")
# A page from the portal's data, language, public address and asset version (None: no page).
Renderer = Callable[[PortalData, str, str, str], str | None]


def text_in(texts: dict[str, str], language: str, default: str) -> str:
    for candidate in _TEXT_FALLBACK[language]:
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()), default) if texts else default


def number(value: float, language: str) -> str:
    """A figure as the reader's language writes it: groups of thousands, two decimals unless
    whole (Norwegian groups with a space and a decimal comma, Dutch with a point and a comma)."""
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    if language == "en":
        return text
    group = "." if language == "nl" else "\u00a0"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", group)


def percent(change: float, language: str) -> str:
    """A change in per cent with one decimal and its sign (a true minus sign)."""
    sign = "+" if change > 0 else ("\u2212" if change < 0 else "±")
    text = f"{abs(change) * 100:.1f}"
    return f"{sign}{text if language == 'en' else text.replace('.', ',')}\u00a0%"


def chart_words(language: str) -> Words:
    say = STRINGS.speaker(language)
    return Words(
        period=say("chart.period"),
        head=say("chart.head"),
        span=say("chart.span"),
        no_periods=say("chart.no_periods"),
        no_value=say("chart.no_value"),
        line=say("chart.line"),
        suppressed_periods=say("chart.suppressed_periods"),
        missing_periods=say("chart.missing_periods"),
        suppressed_gaps=say("chart.suppressed_gaps"),
        missing_gaps=say("chart.missing_gaps"),
    )


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    unit: str
    title: str
    standing: Standing
    # (figure, peers' median) per period, for the table under the chart.
    series: list[tuple[Figure, float | None]]
    svg: Markup
    embed: str


@dataclass(frozen=True)
class Ranking:
    name: str
    level: str
    period: str
    rows: list[tuple[int | None, Place, Figure | None]]


@dataclass(frozen=True)
class DatasetView:
    dataset: PublicDataset
    rows: list[Row]
    rankings: list[Ranking]
    has_suppressed: bool

    @property
    def compared(self) -> bool:
        """Whether any row has peers to be compared with (a country has none)."""
        return any(row.standing.peers > 1 for row in self.rows)


@dataclass(frozen=True)
class Chosen:
    dataset: uuid.UUID | None = None
    indicator: str | None = None


def _indicator(data: PortalData, code: str) -> IndicatorText:
    return data.indicators[code]


def dataset_view(
    data: PortalData,
    dataset: PublicDataset,
    place: Place,
    language: str,
    *,
    indicator: str | None,
    public_url: str,
    with_charts: bool,
) -> DatasetView:
    peers = data.peers(dataset, place)
    children = [c for c in data.children_of(place) if dataset.holds(c.id)]
    rows: list[Row] = []
    rankings: list[Ranking] = []
    words = chart_words(language)
    for code in dataset.indicators:
        if indicator is not None and code != indicator:
            continue
        about = _indicator(data, code)
        name = text_in(about.name, language, code)
        found = standing(
            dataset.data,
            dataset.cells,
            indicator=code,
            organisation=place.id,
            peers=peers,
            periods=dataset.periods,
        )
        if found.latest is None:
            continue
        medians = median_line(dataset.cells, indicator=code, peers=peers, periods=dataset.periods)
        by_period = dict(zip(dataset.periods, medians, strict=True))
        title = STRINGS.say(language, "chart_title", indicator=name, place=place.name)
        svg = Markup("")
        if with_charts:
            chart = organisation_chart(
                dataset.cells,
                indicator=code,
                organisation=place.id,
                peers=peers,
                periods=dataset.periods,
                text=ChartText(
                    title=title,
                    unit=about.unit,
                    label=place.name,
                    median_label=STRINGS.say(language, "median"),
                ),
            )
            # The renderer escapes every text it writes (kpi.charts.svg.escape).
            svg = Markup(render(chart, words).decode())  # noqa: S704
        query = urlencode({"indicator": code, "organisation": str(place.id), "lang": language})
        source = f"{public_url}/kpi/v1/datasets/{dataset.id}/chart?{query}"
        embed = f'<img src="{source}" alt="{title}" width="720">'
        rows.append(
            Row(
                code=code,
                name=name,
                unit=about.unit,
                title=title,
                standing=found,
                series=[(f, by_period.get(f.period)) for f in found.figures],
                svg=svg,
                embed=embed,
            )
        )
        if children and found.latest is not None:
            rankings.append(_ranking(dataset, children, code, name, found.latest.period))
    has_suppressed = any(
        f.status == "suppressed" for row in rows for f in row.standing.figures
    ) or any(f is not None and f.status == "suppressed" for r in rankings for _, _, f in r.rows)
    return DatasetView(dataset, rows, rankings, has_suppressed)


def _ranking(
    dataset: PublicDataset, children: list[Place], code: str, name: str, period: str
) -> Ranking:
    """The children by their figure at `period`, highest first; hidden and missing ones last,
    unranked, so the order tells nothing about a hidden figure."""
    figures: list[tuple[Place, Figure | None]] = []
    for child in children:
        cell = dataset.cells.get((code, child.id, period))
        figures.append((child, None if cell is None else Figure(period, cell.value, cell.status)))
    shown = sorted(
        (
            (f.value, child, f)
            for child, f in figures
            if f is not None and f.status == "shown" and f.value is not None
        ),
        key=lambda item: (-item[0], item[1].name),
    )
    rows: list[tuple[int | None, Place, Figure | None]] = []
    for value, child, figure in shown:
        rows.append((1 + sum(1 for other, _, _ in shown if other > value), child, figure))
    hidden = [
        (child, f) for child, f in figures if f is None or f.status != "shown" or f.value is None
    ]
    rows += [(None, child, f) for child, f in sorted(hidden, key=lambda item: item[0].name)]
    return Ranking(name=name, level=children[0].level, period=period, rows=rows)


def _common(language: str, path: str, query_rest: str, asset_version: str) -> dict[str, Any]:
    return {
        "lang": language,
        "say": STRINGS.speaker(language),
        "number": lambda value: number(value, language),
        "percent": lambda change: percent(change, language),
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "path": path,
        "query_rest": query_rest,
        "asset_version": asset_version,
    }


def environment() -> Environment:
    return _ENVIRONMENT


def home_page(data: PortalData, language: str, *, public_url: str, asset_version: str) -> str:
    countries = []
    for country in data.countries():
        views = [
            dataset_view(
                data, d, country, language, indicator=None, public_url=public_url, with_charts=False
            )
            for d in data.datasets_of(country)
        ]
        # The headline: the first published dataset that holds the country.
        countries.append(
            {
                "place": country,
                "views": [v for v in views if v.rows][:1],
                "children": data.children_of(country),
            }
        )
    return _ENVIRONMENT.get_template("home.html").render(
        **_common(language, "/portal/", "", asset_version),
        countries=countries,
        datasets=data.datasets,
    )


def place_page(
    data: PortalData,
    place: Place,
    language: str,
    *,
    chosen: Chosen,
    public_url: str,
    asset_version: str,
) -> str:
    datasets = data.datasets_of(place)
    shown = [d for d in datasets if chosen.dataset is None or d.id == chosen.dataset]
    views = [
        dataset_view(
            data,
            d,
            place,
            language,
            indicator=chosen.indicator,
            public_url=public_url,
            with_charts=True,
        )
        for d in shown
    ]
    codes = list(dict.fromkeys(code for d in datasets for code in d.indicators))
    choices = [(code, text_in(_indicator(data, code).name, language, code)) for code in codes]
    rest = urlencode(
        {
            k: v
            for k, v in (("dataset", chosen.dataset), ("indicator", chosen.indicator))
            if v is not None
        }
    )
    return _ENVIRONMENT.get_template("place.html").render(
        **_common(language, place.path, f"&{rest}" if rest else "", asset_version),
        place=place,
        trail=data.trail(place),
        children=data.children_of(place),
        datasets=datasets,
        views=[v for v in views if v.rows],
        chosen=chosen,
        indicator_choices=choices,
    )


def not_found_page(language: str, *, path: str, asset_version: str) -> str:
    return _ENVIRONMENT.get_template("not_found.html").render(
        **_common(language, path, "", asset_version)
    )
