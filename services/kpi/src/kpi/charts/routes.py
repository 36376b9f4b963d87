"""HTTP routes of charts: a dataset's and a series', as SVG to embed."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.concurrency import NOT_MODIFIED
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.charts.build import ChartText, dataset_chart, organisation_chart, series_chart
from kpi.charts.errors import NotInDataset
from kpi.charts.svg import render
from kpi.exports.responses import PRIVATE_CACHE, cache_for, content_response
from kpi.indicators.models import Indicator
from kpi.organisations.models import Organisation
from kpi.portal import views as portal
from kpi.portal.figures import cells_by_key
from kpi.publication import service as publication
from kpi.publication.deps import DatasetDep
from kpi.publication.models import Dataset
from kpi.publication.schemas import DatasetDataOut
from kpi.questions import service as questions
from kpi.questions.schemas import SeriesQuery

router = APIRouter(tags=["charts"])

SVG_MEDIA = "image/svg+xml"
SVG: dict[int | str, dict[str, Any]] = {
    200: {"description": "The chart as SVG", "content": {SVG_MEDIA: {"schema": {"type": "string"}}}}
}


class DatasetChartQuery(BaseModel):
    indicator: str | None = Field(
        None, max_length=64, description="One of the dataset's indicators (default: its first)"
    )
    organisation: uuid.UUID | None = Field(
        None,
        description="One of the dataset's organisations: its line and its peers' median (the "
        "dataset's organisations of its level), as the data portal shows it; default: a line "
        "per organisation",
    )
    # A pattern, not a Literal: typing caches Literals by their set of values, so another
    # module's Literal of the same languages in another order would reorder the contract's enum.
    lang: str | None = Field(
        None,
        pattern=r"^(nb|nn|en|nl)$",
        description="The language of the chart's words: nb, nn, en or nl (default: English)",
    )


def _name(indicator: Indicator | None, code: str) -> tuple[str, str]:
    if indicator is None:
        return code, ""
    names = indicator.name or {}
    return str(names.get("en") or next(iter(names.values()), code)), indicator.unit


@router.get(
    "/v1/datasets/{dataset_id}/chart",
    summary="A dataset's figures for one indicator as an SVG line chart",
    response_class=Response,
    responses={**SVG, **NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_dataset_chart(
    request: Request,
    dataset: DatasetDep,
    session: SessionDep,
    query: Annotated[DatasetChartQuery, Query()],
) -> Response:
    code = query.indicator or dataset.indicators[0]
    if code not in dataset.indicators:
        raise NotInDataset.in_query(
            "indicator", f"{code!r} is not one of the dataset's: {', '.join(dataset.indicators)}"
        )
    data = await publication.table(session, dataset=dataset)
    about = await session.get(Indicator, code)
    if query.organisation is not None:
        body = await _organisation_chart(session, dataset, data, about, code, query)
    else:
        name, unit = _name(about, code)
        body = render(
            dataset_chart(data, indicator=code, title=f"{dataset.name}: {name}", unit=unit)
        )
    return content_response(
        request,
        body,
        media_type=SVG_MEDIA,
        cache_control=cache_for(dataset.audience, dataset.status),
    )


async def _organisation_chart(
    session: AsyncSession,
    dataset: Dataset,
    data: DatasetDataOut,
    about: Indicator | None,
    code: str,
    query: DatasetChartQuery,
) -> bytes:
    """The data portal's chart of one organisation, in its words (kpi.portal.views)."""
    ids = [uuid.UUID(text) for text in dataset.organisations]
    if query.organisation not in ids:
        raise NotInDataset.in_query("organisation", "not one of the dataset's organisations")
    rows = {
        row.id: row
        for row in await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    }
    place = rows[query.organisation]
    language = query.lang or "en"
    name = code if about is None else portal.text_in(dict(about.name or {}), language, code)
    chart = organisation_chart(
        cells_by_key(data),
        indicator=code,
        organisation=place.id,
        peers=[i for i in ids if i in rows and rows[i].level == place.level],
        periods=dataset.periods,
        text=ChartText(
            title=portal.STRINGS.say(language, "chart_title", indicator=name, place=place.name),
            unit="" if about is None else about.unit,
            label=place.name,
            median_label=portal.STRINGS.say(language, "median"),
        ),
    )
    return render(chart, portal.chart_words(language))


@router.get(
    "/v1/charts/series",
    summary="A series (one or more organisations over periods) as an SVG line chart",
    response_class=Response,
    responses={**SVG, **NOT_MODIFIED, **problem_responses(403, 422)},
)
async def get_series_chart(
    request: Request,
    query: Annotated[SeriesQuery, Query()],
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    answer = await questions.series(session, principal=principal, query=query)
    name, unit = _name(await session.get(Indicator, answer.indicator), answer.indicator)
    chart = series_chart(answer, title=f"{name}, {query.period}", unit=unit)
    return content_response(
        request, render(chart), media_type=SVG_MEDIA, cache_control=PRIVATE_CACHE
    )
