"""HTTP routes of registrations: staff register and cancel for themselves; trainers see everyone's
and record attendance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, tagged_json
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.registrations import service
from training.registrations.deps import RegistrationDep
from training.registrations.schemas import (
    AttendanceIn,
    RegistrationIn,
    RegistrationOut,
    RegistrationQuery,
)
from training.sessions.deps import TrainingSessionDep

router = APIRouter(tags=["registrations"])
CACHE = "private, no-cache"


@router.post(
    "/v1/sessions/{session_id}/registrations",
    status_code=201,
    summary="Register for a session: a seat while there is one, else the waiting list",
    response_model=RegistrationOut,
    responses=problem_responses(404, 409, 422),
)
async def register(
    request: Request,
    ts: TrainingSessionDep,
    body: RegistrationIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    # Not idempotent by key: registering twice is refused by the rule (409 already-registered).
    registration, position = await service.register(
        session, principal=principal, ts=ts, mode=body.mode, request_id=request_id_of(request)
    )
    return tagged_json(
        service.registration_view(registration, position),
        registration,
        status_code=201,
        headers={"Location": f"/v1/registrations/{registration.id}"},
    )


@router.get(
    "/v1/sessions/{session_id}/registrations",
    summary="A session's registrations: confirmed and waiting (staff: their own)",
    response_model=Page[RegistrationOut],
    responses=problem_responses(400, 403, 404, 422),
)
async def list_session_registrations(
    request: Request,
    response: Response,
    ts: TrainingSessionDep,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[RegistrationQuery, Query()],
) -> Page[RegistrationOut]:
    return await _page(
        request, response, session, principal, page.model_copy(update={"session_id": ts.id})
    )


@router.get(
    "/v1/registrations",
    summary="Registrations (staff: their own)",
    response_model=Page[RegistrationOut],
    responses=problem_responses(400, 403, 422),
)
async def list_registrations(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[RegistrationQuery, Query()],
) -> Page[RegistrationOut]:
    return await _page(request, response, session, principal, page)


async def _page(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: RegistrationQuery,
) -> Page[RegistrationOut]:
    rows = await service.list_registrations(
        session, principal=principal, page=page, after=id_after(page)
    )
    kept, cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r[0].id)])
    return Page[RegistrationOut](
        items=[service.registration_view(r, p) for r, p in kept], next_cursor=cursor
    )


@router.get(
    "/v1/registrations/{registration_id}",
    summary="Read a registration, with its place on the waiting list",
    response_model=RegistrationOut,
    responses=problem_responses(404, 422),
)
async def get_registration(registration: RegistrationDep, session: SessionDep) -> JSONResponse:
    # The ETag is the version, for If-Match; the waiting position moves with others'
    # cancellations without it, so no 304.
    position = await service.position_of(session, registration)
    view = service.registration_view(registration, position)
    return tagged_json(view, registration, headers={"Cache-Control": CACHE})


@router.post(
    "/v1/registrations/{registration_id}/cancel",
    summary="Cancel a registration; the first waiting person gets the seat",
    response_model=RegistrationOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def cancel_registration(
    request: Request,
    registration: RegistrationDep,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(registration)
    registration = await service.cancel(
        session, principal=principal, registration=registration, request_id=request_id_of(request)
    )
    return tagged_json(service.registration_view(registration, None), registration)


@router.put(
    "/v1/registrations/{registration_id}/attendance",
    summary="Record whether a confirmed person attended",
    response_model=RegistrationOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def record_attendance(
    request: Request,
    registration: RegistrationDep,
    body: AttendanceIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(registration)
    registration = await service.record_attendance(
        session,
        principal=principal,
        registration=registration,
        attended=body.attended,
        request_id=request_id_of(request),
    )
    return tagged_json(service.registration_view(registration, None), registration)
