"""What the portal says about one organisation, from the public datasets' tables only: pure.

Every figure on the portal is a cell of a published public dataset, as the dataset's own
exports give it (small numbers and those that would reveal them already hidden). What the
portal adds is arithmetic on cells that are shown, never on hidden ones: the change on the same
period a year before, the median of the organisations of the same level in the same dataset
(the peers), and the place among them. So the portal cannot give back a number the dataset
hides. See docs/decisions/0055-data-portal.md."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kpi.observations.periods import PeriodError, parse_period
from kpi.publication.schemas import CellOut, DatasetDataOut
from kpi.questions.periods import year_before

# Fewer peers with a shown figure than this: no median (as kpi.peers.classes.MIN_PEERS).
MIN_PEERS = 3


@dataclass(frozen=True, slots=True)
class Figure:
    period: str
    value: float | None
    # shown, suppressed, no_data (the dataset's cell status).
    status: str


@dataclass(frozen=True, slots=True)
class Standing:
    """One indicator of one organisation in one dataset: its figures in the dataset's period
    order, the latest figure there is (shown or suppressed), the same period a year before, the
    peers' median and the place among them at the latest period."""

    indicator: str
    figures: tuple[Figure, ...]
    latest: Figure | None
    year_before: Figure | None
    # (latest - year before) / year before, when both are shown and the earlier is not 0.
    change: float | None
    median: float | None
    # Organisations of the same level in the dataset with a shown figure at the latest period.
    peers: int
    # 1 = the highest figure; None when the organisation's own figure is not shown.
    rank: int | None


def cells_by_key(data: DatasetDataOut) -> dict[tuple[str, uuid.UUID, str], CellOut]:
    return {(c.indicator, c.organisation_id, c.period): c for c in data.items}


def _year_before(text: str) -> str | None:
    try:
        return year_before(parse_period(text)).text
    except PeriodError:
        return None


def peer_values(
    cells: Mapping[tuple[str, uuid.UUID, str], CellOut],
    indicator: str,
    peers: Iterable[uuid.UUID],
    period: str,
) -> dict[uuid.UUID, float]:
    """The shown figures of `peers` for one indicator and period."""
    out: dict[uuid.UUID, float] = {}
    for peer in peers:
        cell = cells.get((indicator, peer, period))
        if cell is not None and cell.status == "shown" and cell.value is not None:
            out[peer] = cell.value
    return out


def median_of(values: Iterable[float]) -> float | None:
    listed = list(values)
    return statistics.median(listed) if len(listed) >= MIN_PEERS else None


def standing(
    data: DatasetDataOut,
    cells: Mapping[tuple[str, uuid.UUID, str], CellOut],
    *,
    indicator: str,
    organisation: uuid.UUID,
    peers: Iterable[uuid.UUID],
    periods: list[str],
) -> Standing:
    """`peers`: the dataset's organisations of the same level (this one among them)."""
    figures = tuple(
        Figure(period, cell.value, cell.status)
        for period in periods
        if (cell := cells.get((indicator, organisation, period))) is not None
    )
    latest = next((f for f in reversed(figures) if f.status != "no_data"), None)
    before: Figure | None = None
    change: float | None = None
    median: float | None = None
    counted = 0
    rank: int | None = None
    if latest is not None:
        earlier = _year_before(latest.period)
        before = next((f for f in figures if f.period == earlier), None)
        if (
            before is not None
            and latest.status == before.status == "shown"
            and latest.value is not None
            and before.value
        ):
            change = (latest.value - before.value) / before.value
        shown = peer_values(cells, indicator, peers, latest.period)
        counted = len(shown)
        median = median_of(shown.values())
        own = shown.get(organisation)
        if own is not None:
            rank = 1 + sum(1 for value in shown.values() if value > own)
    return Standing(
        indicator=indicator,
        figures=figures,
        latest=latest,
        year_before=before,
        change=change,
        median=median,
        peers=counted,
        rank=rank,
    )


def median_line(
    cells: Mapping[tuple[str, uuid.UUID, str], CellOut],
    *,
    indicator: str,
    peers: Iterable[uuid.UUID],
    periods: list[str],
) -> list[float | None]:
    """The peers' median at each period (None where fewer than MIN_PEERS are shown)."""
    listed = list(peers)
    return [median_of(peer_values(cells, indicator, listed, period).values()) for period in periods]
