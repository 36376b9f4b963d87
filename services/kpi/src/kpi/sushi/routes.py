"""HTTP routes of SUSHI endpoints: analysts save a product's endpoint (credentials in, never out)
and read each month's harvest, failures included; the job does the harvesting."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import RenderedJSON, tagged_json
from chassis.pagination import Page, PageQueryDep, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from chassis.types import utcnow
from kpi.resources import ResourcesDep
from kpi.sushi import service
from kpi.sushi.deps import CheckedEndpointDep
from kpi.sushi.schemas import SushiEndpointOut, SushiHarvestOut

router = APIRouter(tags=["usage"])

SAVE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "Created", "model": SushiEndpointOut},
    **problem_responses(400, 403, 404, 422),
}
ProductPath = Annotated[uuid.UUID, PathParam(description="The catalogue's id of the product")]


@router.put(
    "/v1/sushi-endpoints/{product_id}",
    summary="Save a product's SUSHI endpoint (its credentials are kept secret, never returned)",
    response_model=SushiEndpointOut,
    responses=SAVE_RESPONSES,
)
async def save_sushi_endpoint(
    request: Request,
    product_id: ProductPath,
    body: CheckedEndpointDep,
    resources: ResourcesDep,
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    endpoint, created = await service.save_endpoint(
        session,
        principal=principal,
        product_id=product_id,
        body=body,
        sealer=resources.sealer,
        now=utcnow(),
        request_id=request_id_of(request),
    )
    return tagged_json(
        service.endpoint_view(endpoint), endpoint, status_code=201 if created else 200
    )


@router.get(
    "/v1/sushi-endpoints",
    summary="List the products' SUSHI endpoints (no credentials)",
    response_model=Page[SushiEndpointOut],
    responses=problem_responses(400, 422),
)
async def list_sushi_endpoints(
    request: Request, response: Response, session: SessionDep, page: PageQueryDep
) -> Page[SushiEndpointOut]:
    rows = await service.list_endpoints(session, after=id_after(page), limit=page.limit)
    kept, next_cursor = cut_page(
        request, response, rows, page=page, key=lambda e: [str(e.product_id)]
    )
    return Page[SushiEndpointOut](
        items=[service.endpoint_view(e) for e in kept], next_cursor=next_cursor
    )


@router.get(
    "/v1/sushi-endpoints/{product_id}",
    summary="Read a product's SUSHI endpoint (no credentials: only which were given)",
    response_model=SushiEndpointOut,
    responses=problem_responses(404, 422),
)
async def get_sushi_endpoint(product_id: ProductPath, session: SessionDep) -> JSONResponse:
    endpoint = await service.get_endpoint(session, product_id)
    return tagged_json(service.endpoint_view(endpoint), endpoint)


@router.get(
    "/v1/sushi-endpoints/{product_id}/harvests",
    summary="Each month's harvest of a product's SUSHI endpoint: done, pending or failed, why",
    response_model=list[SushiHarvestOut],
    responses=problem_responses(404, 422),
)
async def list_sushi_harvests(product_id: ProductPath, session: SessionDep) -> Response:
    rows = await service.list_harvests(session, product_id)
    views = [service.harvest_view(h).model_dump(mode="json") for h in rows]
    return RenderedJSON(views)
