"""Rules of datasets: what a dataset may hold, who may read it, its life (draft → published →
withdrawn), and its table of figures with small numbers hidden for the public."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from kpi.db import trail
from kpi.indicators.models import Indicator
from kpi.observations.periods import Period, PeriodError, parse_period
from kpi.observations.service import find_organisation
from kpi.organisations.models import Organisation
from kpi.organisations.natural_codes import Known
from kpi.publication.errors import (
    BadDatasetPeriod,
    DatasetNotFound,
    DatasetState,
    TooManyCells,
    UnknownDatasetIndicator,
)
from kpi.publication.events import DatasetCreated, DatasetPublished, DatasetWithdrawn
from kpi.publication.models import Dataset
from kpi.publication.relations import Cell, relations
from kpi.publication.schemas import (
    MAX_CELLS,
    Audience,
    CellOut,
    DatasetDataOut,
    DatasetIn,
    DatasetOut,
)
from kpi.publication.suppression import suppressed_cells
from kpi.questions.rollup import Tree
from kpi.questions.schemas import RollupOut

# Roll-ups are the questions' (kpi.questions.service): a dataset's cells are the same figures.
from kpi.questions.service import _answer as rolled_answer
from kpi.questions.service import _tree as subtree

STAFF_ROLES = frozenset({"analyst", "county_admin", "staff"})


def audiences_of(principal: Principal | None) -> frozenset[str]:
    """The audiences whose published datasets the caller may read (the design's table: staff of
    the consortium internal and partners, partners theirs, anyone the public ones)."""
    if principal is None:
        return frozenset({"public"})
    if principal.has_any(STAFF_ROLES):
        return frozenset({"public", "partners", "internal"})
    if principal.has_any(frozenset({"partner"})):
        return frozenset({"public", "partners"})
    return frozenset({"public"})


def sees_drafts(principal: Principal | None) -> bool:
    return principal is not None and "analyst" in principal.roles


def readable(principal: Principal | None, dataset: Dataset) -> bool:
    if sees_drafts(principal):
        return True
    return dataset.status == "published" and dataset.audience in audiences_of(principal)


def dataset_view(dataset: Dataset) -> DatasetOut:
    return DatasetOut.model_validate(dataset)


async def get_dataset(
    session: AsyncSession, *, dataset_id: uuid.UUID, principal: Principal | None
) -> Dataset:
    """The dataset, if the caller may see it (a draft, or another audience's: 404)."""
    dataset = await session.get(Dataset, dataset_id)
    if dataset is None or not readable(principal, dataset):
        raise DatasetNotFound(f"No dataset {dataset_id}")
    return dataset


async def list_datasets(
    session: AsyncSession,
    *,
    principal: Principal | None,
    status: str | None,
    audience: Audience | None,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[Dataset]:
    query = select(Dataset).order_by(Dataset.id).limit(limit)
    if not sees_drafts(principal):
        query = query.where(
            Dataset.status == "published", Dataset.audience.in_(sorted(audiences_of(principal)))
        )
    if status is not None:
        query = query.where(Dataset.status == status)
    if audience is not None:
        query = query.where(Dataset.audience == audience)
    if after is not None:
        query = query.where(Dataset.id > after)
    return (await session.scalars(query)).all()


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


async def create_dataset(
    session: AsyncSession, *, principal: Principal, body: DatasetIn, request_id: str | None
) -> Dataset:
    indicators = _unique(body.indicators)
    for index, code in enumerate(indicators):
        if await session.get(Indicator, code) is None:
            raise UnknownDatasetIndicator(f"indicators.{index}", f"no indicator {code!r}")
    organisations: list[str] = []
    for index, ref in enumerate(body.organisations):
        found = await find_organisation(session, ref, field=f"organisations.{index}")
        organisations.append(str(found.id))
    organisations = _unique(organisations)
    periods: list[str] = []
    for index, text in enumerate(body.periods):
        try:
            periods.append(parse_period(text).text)
        except PeriodError as exc:
            raise BadDatasetPeriod(f"periods.{index}", str(exc)) from exc
    periods = _unique(periods)
    cells = len(indicators) * len(organisations) * len(periods)
    if cells > MAX_CELLS:
        raise TooManyCells(
            "periods", f"{cells} cells (indicators x organisations x periods); at most {MAX_CELLS}"
        )
    now = utcnow()
    dataset = Dataset(
        id=uuid7(),
        name=body.name,
        description=body.description,
        audience=body.audience,
        status="draft",
        indicators=indicators,
        organisations=organisations,
        periods=periods,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
        published_at=None,
        withdrawn_at=None,
    )
    session.add(dataset)
    await session.flush()
    await trail.announce(
        session,
        DatasetCreated(dataset_id=str(dataset.id), name=dataset.name, audience=dataset.audience),
        principal=principal,
        change=Change("dataset", str(dataset.id), before=None, after=_audited(dataset)),
        subject=str(dataset.id),
        request_id=request_id,
    )
    return dataset


def _audited(dataset: Dataset) -> dict[str, object]:
    return dataset_view(dataset).model_dump(
        mode="json", exclude={"version", "created_at", "updated_at"}
    )


async def publish(
    session: AsyncSession, *, principal: Principal, dataset: Dataset, request_id: str | None
) -> Dataset:
    if dataset.status != "draft":
        raise DatasetState(
            "status",
            f"the dataset is {dataset.status}: only a draft is published",
            detail=f"The dataset is {dataset.status} already; only a draft can be published",
        )
    before = _audited(dataset)
    now = utcnow()
    dataset.status, dataset.published_at, dataset.updated_at = "published", now, now
    await session.flush()
    await trail.announce(
        session,
        DatasetPublished(
            dataset_id=str(dataset.id),
            name=dataset.name,
            audience=dataset.audience,
            indicators=list(dataset.indicators),
            organisations=len(dataset.organisations),
            periods=list(dataset.periods),
            published_at=now.isoformat(),
        ),
        principal=principal,
        change=Change("dataset", str(dataset.id), before=before, after=_audited(dataset)),
        subject=str(dataset.id),
        request_id=request_id,
    )
    return dataset


async def withdraw(
    session: AsyncSession, *, principal: Principal, dataset: Dataset, request_id: str | None
) -> Dataset:
    if dataset.status != "published":
        raise DatasetState(
            "status",
            f"the dataset is {dataset.status}: only a published one is withdrawn",
            detail=f"The dataset is {dataset.status}; only a published dataset can be withdrawn",
        )
    before = _audited(dataset)
    now = utcnow()
    dataset.status, dataset.withdrawn_at, dataset.updated_at = "withdrawn", now, now
    await session.flush()
    await trail.announce(
        session,
        DatasetWithdrawn(dataset_id=str(dataset.id), audience=dataset.audience),
        principal=principal,
        change=Change("dataset", str(dataset.id), before=before, after=_audited(dataset)),
        subject=str(dataset.id),
        request_id=request_id,
    )
    return dataset


async def _threshold_mask(
    session: AsyncSession,
    indicator: Indicator,
    answers: dict[Cell, RollupOut],
    organisations: list[uuid.UUID],
    parents: dict[uuid.UUID, uuid.UUID | None],
    periods: list[Period],
) -> set[Cell]:
    """The cells of one indicator's table to hide in public. A ratio hides a cell whose
    numerator or denominator would be hidden in its own table (the other part, a population,
    is public: the ratio would give the hidden part back)."""
    if indicator.rollup != "ratio":
        values = {cell: answer.value for cell, answer in answers.items()}
        shape = relations(indicator.rollup, organisations, parents, periods)
        return suppressed_cells(values, indicator.suppression_threshold, shape)
    hidden: set[Cell] = set()
    for code, side in ((indicator.numerator, "numerator"), (indicator.denominator, "denominator")):
        part = await session.get(Indicator, code)
        if part is None or part.suppression_threshold is None:
            continue
        values = {cell: getattr(answer, side) for cell, answer in answers.items()}
        shape = relations(part.rollup, organisations, parents, periods)
        hidden |= suppressed_cells(values, part.suppression_threshold, shape)
    ratios = {cell: answer.value for cell, answer in answers.items()}
    return suppressed_cells(ratios, indicator.suppression_threshold, [], hidden=frozenset(hidden))


async def table(session: AsyncSession, *, dataset: Dataset) -> DatasetDataOut:
    """Every cell of the dataset (indicator x organisation x period), each rolled up by its
    indicator's rule; in a public dataset the small numbers and those that would reveal them
    are hidden (value null, status suppressed)."""
    ids = [uuid.UUID(text) for text in dataset.organisations]
    rows = {
        row.id: row
        for row in await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    ids = [i for i in ids if i in rows]
    periods = [parse_period(text) for text in dataset.periods]
    parents: dict[uuid.UUID, uuid.UUID | None] = {}
    for child, parent in await session.execute(select(Organisation.id, Organisation.parent_id)):
        parents[child] = parent
    trees: dict[uuid.UUID, Tree] = {i: await subtree(session, i) for i in ids}
    public = dataset.audience == "public"
    items: list[CellOut] = []
    for code in dataset.indicators:
        indicator = await session.get(Indicator, code)
        if indicator is None:  # indicators are never deleted; a guard, not a rule
            continue
        answers: dict[Cell, RollupOut] = {}
        for i in ids:
            row = rows[i]
            known = Known(id=row.id, level=row.level, code=row.code, county_code=row.county_code)
            for period in periods:
                answers[(i, period.text)] = await rolled_answer(
                    session, indicator, known, trees[i], period
                )
        hidden = (
            await _threshold_mask(session, indicator, answers, ids, parents, periods)
            if public
            else set()
        )
        for (i, text), answer in answers.items():
            shown = answer.value if (i, text) not in hidden else None
            items.append(
                CellOut(
                    indicator=code,
                    organisation_id=i,
                    organisation=rows[i].code,
                    organisation_name=rows[i].name,
                    period=text,
                    value=shown,
                    status=(
                        "suppressed"
                        if (i, text) in hidden
                        else ("no_data" if answer.value is None else "shown")
                    ),
                )
            )
    return DatasetDataOut(
        dataset_id=dataset.id,
        name=dataset.name,
        audience=dataset.audience,
        suppressed=public,
        items=items,
    )
