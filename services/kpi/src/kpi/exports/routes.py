"""HTTP routes of exports: a dataset's figures and a series as CSV, each with its CSVW metadata
beside it (the CSV's URL + `-metadata.json`, and named by the CSV's Link header)."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from chassis.concurrency import NOT_MODIFIED
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.exports.csvw import CSV_MEDIA, METADATA_MEDIA, csv_text, describedby, metadata
from kpi.exports.responses import PRIVATE_CACHE, cache_for, content_response
from kpi.exports.tables import DATASET_COLUMNS, DATASET_KEY, SERIES_COLUMNS, SERIES_KEY
from kpi.publication import service as publication
from kpi.publication.deps import DatasetDep
from kpi.publication.models import Dataset
from kpi.questions import service as questions
from kpi.questions.schemas import SeriesQuery

router = APIRouter(tags=["exports"])

CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The table as CSV",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
METADATA: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The CSV's CSVW metadata",
        "content": {METADATA_MEDIA: {"schema": {"type": "object"}}},
    }
}


def _dataset_metadata(dataset: Dataset) -> dict[str, Any]:
    suppressed = " Small numbers are suppressed (empty value, status suppressed)."
    return metadata(
        url="data.csv",
        title=dataset.name,
        description=(dataset.description or f"Dataset {dataset.id}, for the {dataset.audience}.")
        + (suppressed if dataset.audience == "public" else ""),
        columns=DATASET_COLUMNS,
        primary_key=DATASET_KEY,
    )


@router.get(
    "/v1/datasets/{dataset_id}/data.csv",
    summary="A dataset's figures as CSV (CSVW metadata at data.csv-metadata.json)",
    response_class=Response,
    responses={**CSV, **NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_dataset_csv(request: Request, dataset: DatasetDep, session: SessionDep) -> Response:
    data = await publication.table(session, dataset=dataset)
    body = csv_text(DATASET_COLUMNS, (cell.model_dump(mode="json") for cell in data.items))
    return content_response(
        request,
        body.encode("utf-8"),
        media_type=CSV_MEDIA,
        cache_control=cache_for(dataset.audience, dataset.status),
        headers={
            "Link": describedby("data.csv-metadata.json"),
            "Content-Disposition": f'inline; filename="dataset-{dataset.id}.csv"',
        },
    )


@router.get(
    "/v1/datasets/{dataset_id}/data.csv-metadata.json",
    summary="The CSVW metadata of a dataset's CSV",
    response_class=Response,
    responses={**METADATA, **NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_dataset_csv_metadata(request: Request, dataset: DatasetDep) -> Response:
    body = json.dumps(_dataset_metadata(dataset), indent=2, sort_keys=True).encode("utf-8")
    return content_response(
        request,
        body,
        media_type=METADATA_MEDIA,
        cache_control=cache_for(dataset.audience, dataset.status),
    )


def _series_query_string(query: SeriesQuery) -> str:
    return urlencode({k: v for k, v in query.model_dump().items() if v is not None})


@router.get(
    "/v1/series.csv",
    summary="A series as CSV (CSVW metadata at series.csv-metadata.json, same query)",
    response_class=Response,
    responses={**CSV, **NOT_MODIFIED, **problem_responses(403, 422)},
)
async def get_series_csv(
    request: Request,
    query: Annotated[SeriesQuery, Query()],
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    answer = await questions.series(session, principal=principal, query=query)
    body = csv_text(SERIES_COLUMNS, (item.model_dump(mode="json") for item in answer.items))
    return content_response(
        request,
        body.encode("utf-8"),
        media_type=CSV_MEDIA,
        cache_control=PRIVATE_CACHE,
        headers={
            "Link": describedby(f"series.csv-metadata.json?{_series_query_string(query)}"),
            "Content-Disposition": f'inline; filename="series-{answer.indicator}.csv"',
        },
    )


@router.get(
    "/v1/series.csv-metadata.json",
    summary="The CSVW metadata of a series' CSV",
    response_class=Response,
    responses={**METADATA, **NOT_MODIFIED, **problem_responses(403, 422)},
)
async def get_series_csv_metadata(
    request: Request,
    query: Annotated[SeriesQuery, Query()],
    session: SessionDep,
    principal: PrincipalDep,
) -> Response:
    # The same checks as the CSV (indicator, organisations, scope): metadata of what exists.
    answer = await questions.series(session, principal=principal, query=query)
    document = metadata(
        url=f"series.csv?{_series_query_string(query)}",
        title=f"{answer.indicator}, {query.period}",
        description=(
            f"The indicator {answer.indicator} per {query.per or 'period'} in {query.period}, "
            f"rolled up by its rule ({answer.rule}), for {query.organisations}."
        ),
        columns=SERIES_COLUMNS,
        primary_key=SERIES_KEY,
    )
    body = json.dumps(document, indent=2, sort_keys=True).encode("utf-8")
    return content_response(request, body, media_type=METADATA_MEDIA, cache_control=PRIVATE_CACHE)
