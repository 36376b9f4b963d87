"""The portal's data: the organisations, the indicators, and every published public dataset's
table, read together and kept per process for one generation of kpi's data.

The tables are what the datasets' own exports give (kpi.publication.service.table): the same
suppression, cell for cell. Computing them all takes a few hundred milliseconds on the demo, so
they are computed once per generation and every page reads them from memory."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.caching import GenerationCache, newest_seq
from kpi.db import outbox
from kpi.indicators.models import Indicator
from kpi.observations.models import ObservationRevision
from kpi.organisations.models import Organisation
from kpi.portal.figures import cells_by_key
from kpi.publication import service as publication
from kpi.publication.models import Dataset
from kpi.publication.schemas import CellOut, DatasetDataOut


async def read_generation(session: AsyncSession) -> int:
    """A number that grows whenever a figure on the portal may change: every change made through
    the API records an outbox event, and the harvest, which records none, writes an observation
    revision. Both counters only grow, so their sum moves exactly when either does."""
    revisions = await session.scalar(select(func.max(ObservationRevision.id)))
    return await newest_seq(session, outbox) + int(revisions or 0)


@dataclass(frozen=True, slots=True)
class Place:
    id: uuid.UUID
    level: str
    code: str
    country_code: str
    name: str
    parent_id: uuid.UUID | None

    @property
    def path(self) -> str:
        if self.level == "country":
            return f"/portal/{self.country_code}"
        return f"/portal/{self.country_code}/{self.level}/{self.code}"


@dataclass(frozen=True, slots=True)
class IndicatorText:
    code: str
    name: dict[str, str]
    description: dict[str, str]
    unit: str
    rollup: str


@dataclass(frozen=True)
class PublicDataset:
    id: uuid.UUID
    name: str
    description: str | None
    indicators: list[str]
    periods: list[str]
    organisations: list[uuid.UUID]
    published_at: datetime | None
    data: DatasetDataOut
    cells: dict[tuple[str, uuid.UUID, str], CellOut]

    def holds(self, place: uuid.UUID) -> bool:
        return place in self.organisations


@dataclass
class PortalData:
    places: dict[uuid.UUID, Place]
    indicators: dict[str, IndicatorText]
    datasets: list[PublicDataset]
    children: dict[uuid.UUID | None, list[uuid.UUID]] = field(default_factory=dict)
    # Places with a public figure, or with one below them: the ones the portal has pages for.
    shown: set[uuid.UUID] = field(default_factory=set)
    by_path: dict[tuple[str, str, str], uuid.UUID] = field(default_factory=dict)

    def __post_init__(self) -> None:
        children: dict[uuid.UUID | None, list[uuid.UUID]] = defaultdict(list)
        for place in sorted(self.places.values(), key=lambda p: (p.name, p.code)):
            children[place.parent_id].append(place.id)
        self.children = dict(children)
        for dataset in self.datasets:
            for organisation in dataset.organisations:
                at: uuid.UUID | None = organisation
                while at is not None and at not in self.shown and at in self.places:
                    self.shown.add(at)
                    at = self.places[at].parent_id
        self.by_path = {
            (p.country_code, p.level, p.code.upper()): p.id for p in self.places.values()
        }

    def find(self, country: str, level: str, code: str) -> Place | None:
        found = self.by_path.get((country, level, code.upper()))
        return self.places[found] if found is not None and found in self.shown else None

    def countries(self) -> list[Place]:
        return [self.places[i] for i in self.children.get(None, []) if i in self.shown]

    def children_of(self, place: Place) -> list[Place]:
        return [self.places[i] for i in self.children.get(place.id, []) if i in self.shown]

    def trail(self, place: Place) -> list[Place]:
        """The place's ancestors, the country first."""
        out: list[Place] = []
        at = place.parent_id
        while at is not None and at in self.places:
            out.append(self.places[at])
            at = self.places[at].parent_id
        return out[::-1]

    def datasets_of(self, place: Place) -> list[PublicDataset]:
        return [d for d in self.datasets if d.holds(place.id)]

    def peers(self, dataset: PublicDataset, place: Place) -> list[uuid.UUID]:
        """The dataset's organisations of the place's level."""
        return [
            i
            for i in dataset.organisations
            if i in self.places and self.places[i].level == place.level
        ]


async def load(session: AsyncSession) -> PortalData:
    places = {
        row.id: Place(row.id, row.level, row.code, row.country_code, row.name, row.parent_id)
        for row in await session.scalars(select(Organisation))
    }
    indicators = {
        row.code: IndicatorText(
            row.code, dict(row.name or {}), dict(row.description or {}), row.unit, row.rollup
        )
        for row in await session.scalars(select(Indicator))
    }
    rows = await session.scalars(
        select(Dataset)
        .where(Dataset.status == "published", Dataset.audience == "public")
        .order_by(Dataset.published_at, Dataset.id)
    )
    datasets: list[PublicDataset] = []
    for dataset in rows:
        data = await publication.table(session, dataset=dataset)
        datasets.append(
            PublicDataset(
                id=dataset.id,
                name=dataset.name,
                description=dataset.description,
                indicators=[code for code in dataset.indicators if code in indicators],
                periods=list(dataset.periods),
                organisations=[uuid.UUID(text) for text in dataset.organisations],
                published_at=dataset.published_at,
                data=data,
                cells=cells_by_key(data),
            )
        )
    return PortalData(places=places, indicators=indicators, datasets=datasets)


class PortalState:
    """The portal's data at the generation it was read for; one load at a time per process (a
    burst of first requests waits for one computation instead of each doing its own)."""

    def __init__(self) -> None:
        self._data: tuple[int, PortalData] | None = None
        self._lock = asyncio.Lock()

    async def data(self, session: AsyncSession, generation: int) -> PortalData:
        held = self._data
        if held is not None and held[0] == generation:
            return held[1]
        async with self._lock:
            held = self._data
            if held is not None and held[0] == generation:
                return held[1]
            loaded = await load(session)
            self._data = (generation, loaded)
            return loaded


class Portal:
    """The process's portal: the data per generation, and the rendered pages."""

    def __init__(self, *, public_url: str | None, max_staleness: float, max_entries: int) -> None:
        self.state = PortalState()
        self.pages = GenerationCache(
            read_generation=read_generation, max_staleness=max_staleness, max_entries=max_entries
        )
        self.public_url = public_url
