"""HTTP routes of organisations: the hierarchy is public; analysts keep it and its populations
(the catalogue's directory keeps it in step once harvested)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.deps import IdempotencyDep
from kpi.organisations import service
from kpi.organisations.deps import OrganisationDep
from kpi.organisations.schemas import (
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    OrganisationQuery,
    PopulationIn,
)

router = APIRouter(tags=["organisations"])
PUBLIC_CACHE = "public, no-cache"
YearPath = Annotated[int, PathParam(ge=1900, le=2100, description="The year (1 January)")]


@router.post(
    "/v1/organisations",
    status_code=201,
    summary="Add an organisation under its parent",
    response_model=OrganisationOut,
    responses=problem_responses(400, 409, 422),
)
async def create_organisation(
    request: Request,
    body: OrganisationIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    organisation = await service.create_organisation(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.organisation_view(organisation),
        organisation,
        status_code=201,
        headers={"Location": f"/v1/organisations/{organisation.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/organisations",
    summary="List organisations",
    response_model=Page[OrganisationOut],
    responses=problem_responses(400, 422),
)
async def list_organisations(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[OrganisationQuery, Query()],
) -> Page[OrganisationOut]:
    rows = await service.list_organisations(session, query=page, after=id_after(page))
    kept, next_cursor = cut_page(request, response, rows, page=page, key=lambda o: [str(o.id)])
    return Page[OrganisationOut](
        items=[service.organisation_view(o) for o in kept], next_cursor=next_cursor
    )


@router.get(
    "/v1/organisations/{organisation_id}",
    summary="Read an organisation with its populations",
    response_model=OrganisationOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_organisation(
    organisation: OrganisationDep, if_none_match: IfNoneMatchDep
) -> Response:
    return conditional_json(
        if_none_match,
        service.organisation_view(organisation),
        organisation,
        cache_control=PUBLIC_CACHE,
    )


@router.patch(
    "/v1/organisations/{organisation_id}",
    summary="Rename an organisation",
    response_model=OrganisationOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_organisation(
    request: Request,
    organisation: OrganisationDep,
    body: OrganisationPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(organisation)
    organisation = await service.update_organisation(
        session,
        principal=principal,
        organisation=organisation,
        body=body,
        request_id=request_id_of(request),
    )
    return tagged_json(service.organisation_view(organisation), organisation)


@router.put(
    "/v1/organisations/{organisation_id}/populations/{year}",
    summary="Set an organisation's population on 1 January of a year",
    response_model=OrganisationOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def set_population(
    request: Request,
    organisation: OrganisationDep,
    year: YearPath,
    body: PopulationIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(organisation)
    organisation = await service.set_population(
        session,
        principal=principal,
        organisation=organisation,
        year=year,
        population=body.population,
        request_id=request_id_of(request),
    )
    return tagged_json(service.organisation_view(organisation), organisation)
