"""HTTP routes of the catalogue: agents keep business calendars and supported services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import (
    NOT_MODIFIED,
    IfMatchDep,
    IfNoneMatchDep,
    conditional_json,
    tagged_json,
)
from chassis.pagination import Page, PageQueryDep, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from helpdesk.catalogue import service
from helpdesk.catalogue.deps import CalendarDep, ServiceDep
from helpdesk.catalogue.schemas import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    ServiceQuery,
)
from helpdesk.deps import IdempotencyDep

router = APIRouter()
CACHE = "no-cache"


@router.post(
    "/v1/business-calendars",
    status_code=201,
    tags=["catalogue"],
    summary="Register a business calendar",
    response_model=CalendarOut,
    responses=problem_responses(400, 409, 422),
)
async def create_calendar(
    request: Request,
    body: CalendarIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    row = await service.create_calendar(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.calendar_view(row),
        row,
        status_code=201,
        headers={"Location": f"/v1/business-calendars/{row.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/business-calendars",
    tags=["catalogue"],
    summary="List business calendars",
    response_model=Page[CalendarOut],
    responses=problem_responses(400, 422),
)
async def list_calendars(
    request: Request, response: Response, session: SessionDep, page: PageQueryDep
) -> Page[CalendarOut]:
    rows = await service.list_calendars(session, after=id_after(page), limit=page.limit + 1)
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r.id)])
    return Page[CalendarOut](items=[service.calendar_view(r) for r in cut], next_cursor=next_cursor)


@router.get(
    "/v1/business-calendars/{calendar_id}",
    tags=["catalogue"],
    summary="Read a business calendar",
    response_model=CalendarOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_calendar(row: CalendarDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(if_none_match, service.calendar_view(row), row, cache_control=CACHE)


@router.patch(
    "/v1/business-calendars/{calendar_id}",
    tags=["catalogue"],
    summary="Change a business calendar (open tickets keep the due times they were given)",
    response_model=CalendarOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_calendar(
    request: Request,
    row: CalendarDep,
    body: CalendarPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(row)
    row = await service.update_calendar(
        session, principal=principal, row=row, body=body, request_id=request_id_of(request)
    )
    return tagged_json(service.calendar_view(row), row)


@router.post(
    "/v1/services",
    status_code=201,
    tags=["catalogue"],
    summary="Register a supported service with its channels and promises",
    response_model=ServiceOut,
    responses=problem_responses(400, 409, 422),
)
async def create_service(
    request: Request,
    body: ServiceIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    row = await service.create_service(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.service_view(row),
        row,
        status_code=201,
        headers={"Location": f"/v1/services/{row.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/services",
    tags=["catalogue"],
    summary="List supported services",
    response_model=Page[ServiceOut],
    responses=problem_responses(400, 422),
)
async def list_services(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[ServiceQuery, Query()],
) -> Page[ServiceOut]:
    rows = await service.list_services(
        session, active=page.active, after=id_after(page), limit=page.limit + 1
    )
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r.id)])
    return Page[ServiceOut](items=[service.service_view(r) for r in cut], next_cursor=next_cursor)


@router.get(
    "/v1/services/{service_id}",
    tags=["catalogue"],
    summary="Read a supported service",
    response_model=ServiceOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_service(row: ServiceDep, if_none_match: IfNoneMatchDep) -> Response:
    return conditional_json(if_none_match, service.service_view(row), row, cache_control=CACHE)


@router.patch(
    "/v1/services/{service_id}",
    tags=["catalogue"],
    summary="Change a supported service (new promises apply to tickets raised afterwards)",
    response_model=ServiceOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_service(
    request: Request,
    row: ServiceDep,
    body: ServicePatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(row)
    row = await service.update_service(
        session, principal=principal, row=row, body=body, request_id=request_id_of(request)
    )
    return tagged_json(service.service_view(row), row)
