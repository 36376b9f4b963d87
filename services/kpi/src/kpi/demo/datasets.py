"""The demo's public datasets, the data portal's figures.

Norway's libraries, year by year and month by month: the country, its demo counties,
municipalities and libraries, the made-up figures of both demo years. And Nordland's libraries,
loans and training participants per month of the last demo year: Narvik's few participants are
below the threshold (5): hidden, and Bodø's with them, so the county's total does not give
Narvik's away."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.types import utcnow
from kpi.demo.ids import COUNTIES, DEMO_PRINCIPAL, LIBRARIES, MUNICIPALITIES, YEARS
from kpi.imports.validation import ValidRow
from kpi.imports.writer import write_rows
from kpi.observations.periods import parse_period
from kpi.organisations.models import Organisation
from kpi.publication import service as publication
from kpi.publication.models import Dataset
from kpi.publication.schemas import DatasetIn

NAME = "Nordland's libraries, month by month"
# Participants in the training service's courses per library and month (made up, small).
PARTICIPANTS = {
    "NO-2180400": (9, 6, 11, 8, 7, 12, 0, 5, 10, 9, 8, 6),
    "NO-2180500": (2, 0, 3, 6, 1, 4, 0, 2, 5, 3, 2, 1),
}


# The Norwegian demo organisations (kpi.demo.ids), as dataset references.
NORWAY = (
    "country:NO",
    *(f"county:{number}" for country, number, _, _ in COUNTIES if country == "NO"),
    *(f"municipality:{number}" for country, number, _, _, _ in MUNICIPALITIES if country == "NO"),
    *(isil for isil, _, country, _ in LIBRARIES if country == "NO"),
)
YEARLY = DatasetIn(
    name="Norway's public libraries, year by year",
    description=(
        "Visits, loans, e-loans and events of the demo libraries, with their municipalities', "
        "counties' and the country's totals, and loans per inhabitant, per year."
    ),
    audience="public",
    indicators=["visits", "loans", "e_loans", "events", "loans_per_inhabitant"],
    organisations=list(NORWAY),
    periods=[str(year) for year in YEARS],
)
MONTHLY = DatasetIn(
    name="Norway's public libraries, month by month",
    description="Visits, loans and e-loans of the demo libraries and their areas, per month.",
    audience="public",
    indicators=["visits", "loans", "e_loans"],
    organisations=list(NORWAY),
    periods=[f"{year}-{month:02d}" for year in YEARS for month in range(1, 13)],
)


async def _publish(session: AsyncSession, body: DatasetIn) -> int:
    if await session.scalar(select(Dataset.id).where(Dataset.name == body.name)) is not None:
        return 0
    dataset = await publication.create_dataset(
        session, principal=DEMO_PRINCIPAL, body=body, request_id=None
    )
    await publication.publish(session, principal=DEMO_PRINCIPAL, dataset=dataset, request_id=None)
    return 1


async def load_public_datasets(
    session: AsyncSession, libraries: dict[str, Organisation]
) -> dict[str, int]:
    """Norway's datasets and Nordland's (with its participants' figures), unless an earlier run
    added them; after the demo's figures, which they show."""
    published = await _publish(session, YEARLY) + await _publish(session, MONTHLY)
    added = await _nordland(session, libraries)
    return {
        "datasets": published + added["datasets"],
        **{k: v for k, v in added.items() if k != "datasets"},
    }


async def _nordland(session: AsyncSession, libraries: dict[str, Organisation]) -> dict[str, int]:
    """The participants' figures and the published dataset, unless an earlier run added them."""
    if await session.scalar(select(Dataset.id).where(Dataset.name == NAME)) is not None:
        return {"datasets": 0, "dataset_observations": 0}
    year = YEARS[-1]
    rows = [
        ValidRow(
            row=index + 2,
            indicator="training_participants",
            organisation_id=libraries[isil].id,
            period=parse_period(f"{year}-{month:02d}"),
            value=float(value),
            status="provisional",
            comment=None,
        )
        for index, (isil, month, value) in enumerate(
            (isil, month, value)
            for isil, values in PARTICIPANTS.items()
            for month, value in enumerate(values, start=1)
        )
    ]
    written = await write_rows(
        session, rows=rows, by=DEMO_PRINCIPAL.subject, now=utcnow(), progress=lambda _: None
    )
    body = DatasetIn(
        name=NAME,
        description=(
            f"Loans and training participants in Nordland county and its libraries in Bodø and "
            f"Narvik, per month of {year}."
        ),
        audience="public",
        indicators=["loans", "training_participants"],
        organisations=["county:18", *PARTICIPANTS],
        periods=[f"{year}-{month:02d}" for month in range(1, 13)],
    )
    dataset = await publication.create_dataset(
        session, principal=DEMO_PRINCIPAL, body=body, request_id=None
    )
    await publication.publish(session, principal=DEMO_PRINCIPAL, dataset=dataset, request_id=None)
    return {"datasets": 1, "dataset_observations": written.created}
