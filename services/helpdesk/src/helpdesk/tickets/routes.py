"""HTTP routes of tickets: raise, list, read, change, move, merge; replies and notes."""

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
from helpdesk.deps import IdempotencyDep, SettingsDep
from helpdesk.tickets import service, workflow
from helpdesk.tickets.deps import TicketDep
from helpdesk.tickets.schemas import (
    CommentIn,
    CommentOut,
    MergeIn,
    MoveIn,
    TicketIn,
    TicketOut,
    TicketPatch,
    TicketQuery,
)

router = APIRouter(tags=["tickets"])
PRIVATE_CACHE = "private, no-cache"


@router.post(
    "/v1/tickets",
    status_code=201,
    summary="Raise a ticket (staff: for their library; an agent: for a library, e.g. from a call)",
    response_model=TicketOut,
    responses=problem_responses(400, 403, 409, 422),
)
async def create_ticket(
    request: Request,
    body: TicketIn,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
) -> JSONResponse:
    if (replayed := await idem.replay()) is not None:
        return replayed
    ticket = await service.create_ticket(
        session, principal=principal, body=body, request_id=request_id_of(request)
    )
    response = tagged_json(
        service.ticket_view(ticket, principal=principal),
        ticket,
        status_code=201,
        headers={"Location": f"/v1/tickets/{ticket.id}"},
    )
    return await idem.remember(response)


@router.get(
    "/v1/tickets",
    summary="List tickets (staff: their library's only)",
    response_model=Page[TicketOut],
    responses=problem_responses(400, 422),
)
async def list_tickets(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: Annotated[TicketQuery, Query()],
) -> Page[TicketOut]:
    rows = await service.list_tickets(
        session, principal=principal, query=page, after=id_after(page), limit=page.limit + 1
    )
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda t: [str(t.id)])
    return Page[TicketOut](
        items=[service.ticket_view(t, principal=principal) for t in cut], next_cursor=next_cursor
    )


@router.get(
    "/v1/tickets/{ticket_id}",
    summary="Read a ticket",
    response_model=TicketOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_ticket(
    ticket: TicketDep, principal: PrincipalDep, if_none_match: IfNoneMatchDep
) -> Response:
    view = service.ticket_view(ticket, principal=principal)
    return conditional_json(if_none_match, view, ticket, cache_control=PRIVATE_CACHE)


@router.patch(
    "/v1/tickets/{ticket_id}",
    summary="Change priority (re-targets the SLA clocks), assignment, category or tags",
    response_model=TicketOut,
    responses=problem_responses(404, 412, 422, 428),
)
async def update_ticket(
    request: Request,
    ticket: TicketDep,
    body: TicketPatch,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(ticket)
    ticket = await service.update_ticket(
        session, principal=principal, ticket=ticket, body=body, request_id=request_id_of(request)
    )
    return tagged_json(service.ticket_view(ticket, principal=principal), ticket)


@router.post(
    "/v1/tickets/{ticket_id}/moves",
    summary="Move a ticket to another state, as the transition table allows",
    response_model=TicketOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def move_ticket(
    request: Request,
    ticket: TicketDep,
    body: MoveIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(ticket)
    ticket = await workflow.move_ticket(
        session,
        principal=principal,
        ticket=ticket,
        to=body.to,
        reopen_days=settings.reopen_window_days,
        request_id=request_id_of(request),
    )
    return tagged_json(service.ticket_view(ticket, principal=principal), ticket)


@router.post(
    "/v1/tickets/{ticket_id}/merge",
    summary="Close a ticket as a duplicate of another of the same library",
    response_model=TicketOut,
    responses=problem_responses(404, 409, 412, 422, 428),
)
async def merge_ticket(
    request: Request,
    ticket: TicketDep,
    body: MergeIn,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    if_match.require(ticket)
    into = await service.get_ticket(session, principal=principal, ticket_id=body.into)
    ticket = await workflow.merge_ticket(
        session, principal=principal, duplicate=ticket, into=into, request_id=request_id_of(request)
    )
    return tagged_json(service.ticket_view(ticket, principal=principal), ticket)


@router.post(
    "/v1/tickets/{ticket_id}/comments",
    status_code=201,
    summary="Reply (public) or add an internal note (agents)",
    response_model=CommentOut,
    responses=problem_responses(403, 404, 409, 422),
)
async def add_comment(
    request: Request,
    ticket: TicketDep,
    body: CommentIn,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> CommentOut:
    comment = await workflow.add_comment(
        session,
        principal=principal,
        ticket=ticket,
        body=body,
        reopen_days=settings.reopen_window_days,
        request_id=request_id_of(request),
    )
    return workflow.comment_view(comment)


@router.get(
    "/v1/tickets/{ticket_id}/comments",
    summary="List a ticket's replies (and, for agents, its internal notes), oldest first",
    response_model=Page[CommentOut],
    responses=problem_responses(400, 404, 422),
)
async def list_comments(
    request: Request,
    response: Response,
    ticket: TicketDep,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageQueryDep,
) -> Page[CommentOut]:
    rows = await workflow.list_comments(
        session, principal=principal, ticket=ticket, after=id_after(page), limit=page.limit + 1
    )
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda c: [str(c.id)])
    return Page[CommentOut](items=[workflow.comment_view(c) for c in cut], next_cursor=next_cursor)
