"""HTTP routes of the iCalendar feeds: the public calendar (filters, ETag and 304), a person's own
feed behind a token in its address, and the tokens' making and revoking."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import IfMatchDep, IfNoneMatchDep, tagged_json
from chassis.pagination import Page
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from training.calendar import service
from training.calendar.feed import calendar_document
from training.calendar.schemas import CalendarQuery, FeedTokenOut, NewFeedTokenOut

router = APIRouter(tags=["calendar"])
ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "RFC 5545"},
    304: {"description": "Not Modified"},
}
FeedTokenPath = Annotated[
    str,
    PathParam(
        min_length=20,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The secret token of the person's feed",
    ),
]
FeedId = Annotated[uuid.UUID, PathParam(description="The feed token's id (a UUID)")]


@router.get(
    "/v1/calendar.ics",
    summary="The public training calendar as iCalendar, filtered by track, topic, format",
    response_class=Response,
    responses={**ICS_RESPONSE, **problem_responses(400, 422)},
)
async def public_calendar(
    session: SessionDep,
    if_none_match: IfNoneMatchDep,
    query: Annotated[CalendarQuery, Query()],
) -> Response:
    entries, etag = await service.public_entries(session, query=query)
    headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
    if if_none_match.matches(etag):
        return Response(status_code=304, headers=headers)
    body = calendar_document("Training calendar", entries)
    return Response(body, media_type=ICS, headers=headers)


@router.get(
    "/v1/calendar/private/{token}.ics",
    summary="A person's own sessions (seats and waiting places) as iCalendar",
    response_class=Response,
    responses={**ICS_RESPONSE, **problem_responses(404, 422)},
)
async def private_calendar(token: FeedTokenPath, session: SessionDep) -> Response:
    # Calendar programs send no Authorization header: the unguessable token in the address is
    # the credential, so the answer is never cached by anyone on the way.
    _, entries = await service.private_entries(session, token=token)
    body = calendar_document("My training sessions", entries)
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, no-store"})


@router.post(
    "/v1/calendar/feeds",
    status_code=201,
    summary="Make a private calendar feed address (its token is shown once)",
    response_model=NewFeedTokenOut,
    responses=problem_responses(400, 422),
)
async def create_feed(
    request: Request, session: SessionDep, principal: PrincipalDep
) -> JSONResponse:
    row, token = await service.create_token(
        session, principal=principal, request_id=request_id_of(request)
    )
    view = NewFeedTokenOut.model_validate(
        {
            **FeedTokenOut.model_validate(row).model_dump(),
            "token": token,
            "path": f"/v1/calendar/private/{token}.ics",
        }
    )
    return tagged_json(
        view,
        row,
        status_code=201,
        headers={"Location": f"/v1/calendar/feeds/{row.id}", "Cache-Control": "no-store"},
    )


@router.get(
    "/v1/calendar/feeds",
    summary="Your private calendar feeds (without their tokens)",
    response_model=Page[FeedTokenOut],
    responses=problem_responses(400, 422),
)
async def list_feeds(session: SessionDep, principal: PrincipalDep) -> Page[FeedTokenOut]:
    # A person has a handful of feeds: one page holds them all.
    rows = await service.list_tokens(session, principal=principal)
    return Page[FeedTokenOut](
        items=[FeedTokenOut.model_validate(r) for r in rows], next_cursor=None
    )


@router.delete(
    "/v1/calendar/feeds/{feed_id}",
    status_code=204,
    summary="Revoke a private calendar feed: its address answers 404 from now on",
    responses=problem_responses(404, 412, 422, 428),
)
async def revoke_feed(
    request: Request,
    feed_id: FeedId,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> Response:
    row = await service.get_token(session, principal=principal, feed_id=feed_id)
    if_match.require(row)
    await service.revoke_token(
        session, principal=principal, row=row, request_id=request_id_of(request)
    )
    return Response(status_code=204)
