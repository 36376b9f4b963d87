"""HTTP routes of sessions: trainers schedule and change them; anyone reads the public calendar."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, tagged_json
from chassis.pagination import BadCursor, Page, cut_page, decode_cursor
from chassis.policy import OptionalPrincipalDep, PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.deps import IdempotencyDep
from training.sessions import service
from training.sessions.deps import TrainingSessionDep
from training.sessions.schemas import SessionIn, SessionOut, SessionPatch, SessionQuery

router = APIRouter(tags=["sessions"])
# Who sees drafts' sessions differs by caller: revalidated each time, kept by the caller only.
CACHE = "private, no-cache"


def _after(page: SessionQuery) -> tuple[datetime, uuid.UUID] | None:
    if page.cursor is None:
        return None
    starts, session_id = decode_cursor(page.cursor, arity=2)
    try:
        return datetime.fromisoformat(str(starts)), uuid.UUID(str(session_id))
    except ValueError as exc:
        raise BadCursor("The cursor is not one this API issued") from exc


@router.post(
    "/v1/sessions",
    status_code=201,
    summary="Schedule a session of a course",
    response_model=SessionOut,
    responses=problem_responses(400, 409, 422),
)
async def create_session(
    request: Request,
    body: SessionIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    ts, seats = await service.create_session(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.session_view(ts, seats),
        ts,
        status_code=201,
        headers={"Location": f"/v1/sessions/{ts.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/sessions",
    summary="The calendar: sessions by start time (of published courses, unless a trainer asks)",
    response_model=Page[SessionOut],
    responses=problem_responses(400, 422),
)
async def list_sessions(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: OptionalPrincipalDep,
    page: Annotated[SessionQuery, Query()],
) -> Page[SessionOut]:
    rows = await service.list_sessions(session, principal=principal, page=page, after=_after(page))
    kept, cursor = cut_page(
        request,
        response,
        rows,
        page=page,
        key=lambda r: [r[0].starts_at.isoformat(), str(r[0].id)],
    )
    return Page[SessionOut](
        items=[service.session_view(ts, seats) for ts, seats in kept], next_cursor=cursor
    )


@router.get(
    "/v1/sessions/{session_id}",
    summary="Read a session, with its free seats",
    response_model=SessionOut,
    responses=problem_responses(404, 422),
)
async def get_session(ts: TrainingSessionDep, session: SessionDep) -> JSONResponse:
    # The ETag is the session's version, for If-Match; the seats change without it, so no 304.
    seats = await service.seats_of(session, session_id=ts.id)
    return tagged_json(service.session_view(ts, seats), ts, headers={"Cache-Control": CACHE})


@router.patch(
    "/v1/sessions/{session_id}",
    summary="Change, cancel or complete a session",
    response_model=SessionOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def update_session(
    request: Request,
    ts: TrainingSessionDep,
    body: SessionPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(ts)
    ts, seats = await service.update_session(
        session, principal=principal, ts=ts, body=body, request_id=request_id_of(request)
    )
    return tagged_json(service.session_view(ts, seats), ts)
