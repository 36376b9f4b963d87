"""HTTP routes of datasets: analysts compose and publish them; each audience reads its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import NOT_MODIFIED, IfMatchDep, tagged_json
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import OptionalPrincipalDep, PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.deps import IdempotencyDep
from kpi.exports.responses import PRIVATE_CACHE, cache_for, content_response
from kpi.publication import service
from kpi.publication.deps import DatasetDep
from kpi.publication.schemas import DatasetDataOut, DatasetIn, DatasetOut, DatasetQuery

router = APIRouter(tags=["datasets"])


@router.post(
    "/v1/datasets",
    status_code=201,
    summary="Compose a dataset (a draft): indicators, organisations, periods, an audience",
    response_model=DatasetOut,
    responses=problem_responses(400, 409, 422),
)
async def create_dataset(
    request: Request,
    body: DatasetIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    dataset = await service.create_dataset(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.dataset_view(dataset),
        dataset,
        status_code=201,
        headers={"Location": f"/v1/datasets/{dataset.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/datasets",
    summary="List the datasets the caller may read (analysts: drafts too)",
    response_model=Page[DatasetOut],
    responses=problem_responses(400, 422),
)
async def list_datasets(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: OptionalPrincipalDep,
    page: Annotated[DatasetQuery, Query()],
) -> Page[DatasetOut]:
    rows = await service.list_datasets(
        session,
        principal=principal,
        status=page.status,
        audience=page.audience,
        after=id_after(page),
        limit=page.limit + 1,
    )
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda d: [str(d.id)])
    response.headers["Cache-Control"] = PRIVATE_CACHE
    return Page[DatasetOut](items=[service.dataset_view(d) for d in kept], next_cursor=next_cursor)


@router.get(
    "/v1/datasets/{dataset_id}",
    summary="Read a dataset's definition",
    response_model=DatasetOut,
    responses=problem_responses(404, 422),
)
async def get_dataset(dataset: DatasetDep) -> JSONResponse:
    return tagged_json(
        service.dataset_view(dataset), dataset, headers={"Cache-Control": PRIVATE_CACHE}
    )


@router.post(
    "/v1/datasets/{dataset_id}/publish",
    summary="Publish a draft dataset to its audience",
    response_model=DatasetOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def publish_dataset(
    request: Request,
    dataset: DatasetDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(dataset)
    dataset = await service.publish(
        session, principal=principal, dataset=dataset, request_id=request_id_of(request)
    )
    return tagged_json(service.dataset_view(dataset), dataset)


@router.post(
    "/v1/datasets/{dataset_id}/withdraw",
    summary="Withdraw a published dataset",
    response_model=DatasetOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def withdraw_dataset(
    request: Request,
    dataset: DatasetDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(dataset)
    dataset = await service.withdraw(
        session, principal=principal, dataset=dataset, request_id=request_id_of(request)
    )
    return tagged_json(service.dataset_view(dataset), dataset)


@router.get(
    "/v1/datasets/{dataset_id}/data",
    summary="A dataset's figures, rolled up; small numbers suppressed in public datasets",
    response_model=DatasetDataOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_dataset_data(request: Request, dataset: DatasetDep, session: SessionDep) -> Response:
    data = await service.table(session, dataset=dataset)
    return content_response(
        request,
        data.__pydantic_serializer__.to_json(data),
        media_type="application/json",
        cache_control=cache_for(dataset.audience, dataset.status),
    )
