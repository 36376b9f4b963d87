"""Moving tickets through the state table, replies and notes, merging duplicates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.outbox import EventData
from chassis.problems import body_field_error
from chassis.types import utcnow
from helpdesk.db import trail
from helpdesk.hours.calendar import BusinessCalendar
from helpdesk.tickets import clocks
from helpdesk.tickets.access import is_agent, party_of, sees_internal
from helpdesk.tickets.errors import (
    CannotMerge,
    MoveNotAllowed,
    NotYoursToSet,
    ReopenWindowPassed,
    TicketClosed,
)
from helpdesk.tickets.events import (
    NoteAdded,
    ReplyAdded,
    SlaBreached,
    TicketClosedEvent,
    TicketFirstResponded,
    TicketMoved,
    TicketReopened,
    TicketResolved,
    TicketUpdated,
)
from helpdesk.tickets.models import Ticket, TicketComment
from helpdesk.tickets.schemas import CommentIn, CommentOut
from helpdesk.tickets.service import audited, calendar_for
from helpdesk.tickets.states import PAUSING, TRANSITIONS, allowed_targets


async def _announce(
    session: AsyncSession,
    ticket: Ticket,
    event: EventData,
    *,
    principal: Principal,
    before: dict[str, object],
    request_id: str | None,
) -> None:
    await trail.announce(
        session,
        event,
        principal=principal,
        change=Change("ticket", str(ticket.id), before=before, after=audited(ticket)),
        subject=str(ticket.id),
        request_id=request_id,
    )


def _seconds(ticket: Ticket, name: clocks.ClockName, calendar: BusinessCalendar) -> int:
    state = clocks.clock_state(ticket, name, calendar)
    stop = state.stopped_at or utcnow()
    return int(clocks.elapsed(state, calendar, now=stop).total_seconds())


async def _settle_late_stops(
    session: AsyncSession, ticket: Ticket, *, principal: Principal, request_id: str | None
) -> None:
    """A clock that stopped after its due time is breached: flagged, and announced once."""
    for name in clocks.late_stops(ticket):
        clocks.flag_breached(ticket, name, True)
        due = clocks.due_of(ticket, name)
        event = SlaBreached(
            clock=name,
            due_at=due.isoformat() if due else "",
            priority=ticket.priority,
            service_id=ticket.service_id,
            escalated=False,
        )
        await _announce(
            session,
            ticket,
            event,
            principal=principal,
            before=audited(ticket),
            request_id=request_id,
        )


def enter_state(ticket: Ticket, to: str, *, at: datetime) -> None:
    """The state's effect on the clocks: leaving a pausing state ends its pause, entering one
    starts one; resolving stops the resolution clock."""
    if ticket.state in PAUSING:
        clocks.close_pause(ticket, at=at)
    if ticket.state == "resolved" and to == "open":
        ticket.resolved_at = None
        ticket.reopen_count += 1
    if to in PAUSING:
        clocks.open_pause(ticket, at=at, reason=PAUSING[to])
    if to == "resolved":
        ticket.resolved_at = at
    if to == "closed":
        ticket.closed_at = at
    ticket.state = to


def check_move(
    ticket: Ticket, to: str, *, principal: Principal, now: datetime, reopen_days: int
) -> None:
    if ticket.state == "closed":
        raise TicketClosed(f"Ticket {ticket.id} is closed; raise a new one")
    move = TRANSITIONS.get((ticket.state, to))
    if move is None or party_of(principal) not in move.by:
        allowed = allowed_targets(ticket.state, party_of(principal))
        raise MoveNotAllowed(
            f"No move from {ticket.state} to {to} for you; allowed: {', '.join(allowed) or 'none'}"
        )
    window_over = (
        move.reopens
        and ticket.resolved_at is not None
        and now > ticket.resolved_at + timedelta(days=reopen_days)
    )
    if window_over:
        raise ReopenWindowPassed(f"Resolved more than {reopen_days} days ago; raise a new ticket")


async def move_ticket(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    to: str,
    reopen_days: int,
    request_id: str | None,
    now: datetime | None = None,
) -> Ticket:
    at = now or utcnow()
    check_move(ticket, to, principal=principal, now=at, reopen_days=reopen_days)
    await apply_move(
        session, principal=principal, ticket=ticket, to=to, at=at, request_id=request_id
    )
    return ticket


async def apply_move(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    to: str,
    at: datetime,
    request_id: str | None,
    merged_into: uuid.UUID | None = None,
) -> None:
    calendar = await calendar_for(session, ticket.service_id)
    before = audited(ticket)
    from_state = ticket.state
    enter_state(ticket, to, at=at)
    clocks.retarget(ticket, calendar)
    ticket.updated_at = at
    await session.flush()
    event: EventData
    if to == "resolved":
        seconds = _seconds(ticket, "resolution", calendar)
        ticket.resolution_seconds = seconds
        late = ticket.resolution_due_at is not None and at > ticket.resolution_due_at
        event = TicketResolved(business_seconds=seconds, breached=late)
    elif from_state == "resolved" and to == "open":
        event = TicketReopened(reopen_count=ticket.reopen_count)
    elif to == "closed":
        event = TicketClosedEvent(merged_into=merged_into)
    else:
        event = TicketMoved(from_state=from_state, to_state=to)
    await _announce(
        session, ticket, event, principal=principal, before=before, request_id=request_id
    )
    await _settle_late_stops(session, ticket, principal=principal, request_id=request_id)
    # The answer's ETag is the version after the last write of this request.
    await session.flush()


def comment_view(comment: TicketComment) -> CommentOut:
    return CommentOut(
        id=comment.id,
        ticket_id=comment.ticket_id,
        author=comment.author,
        by_agent=comment.by_agent,
        visibility="internal" if comment.internal else "public",
        body=comment.body,
        created_at=comment.created_at,
    )


async def list_comments(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[TicketComment]:
    query = (
        select(TicketComment)
        .where(TicketComment.ticket_id == ticket.id)
        .order_by(TicketComment.id)
        .limit(limit)
    )
    if not sees_internal(principal):
        query = query.where(TicketComment.internal.is_(False))
    if after is not None:
        query = query.where(TicketComment.id > after)
    return (await session.scalars(query)).all()


async def add_comment(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    body: CommentIn,
    reopen_days: int,
    request_id: str | None,
    now: datetime | None = None,
) -> TicketComment:
    """A public reply or an internal note. An agent's first public reply stops the first-response
    clock; a staff reply on a pending ticket puts it back to work, and one on a resolved ticket
    reopens it (within the reopen window; after it, the library raises a new ticket)."""
    if ticket.state == "closed":
        raise TicketClosed(f"Ticket {ticket.id} is closed; raise a new one")
    agent = is_agent(principal)
    at = now or utcnow()
    if body.internal and not agent:
        raise NotYoursToSet(
            "Only agents write internal notes",
            errors=[body_field_error("internal", "agents only", NotYoursToSet.slug)],
        )
    if not agent and ticket.state == "resolved":
        check_move(ticket, "open", principal=principal, now=at, reopen_days=reopen_days)
    comment = TicketComment(
        id=uuid7(),
        ticket_id=ticket.id,
        author=principal.subject,
        by_agent=agent,
        internal=body.internal,
        body=body.body,
        created_at=at,
    )
    session.add(comment)
    await session.flush()
    event: EventData = (
        NoteAdded(comment_id=comment.id)
        if body.internal
        else ReplyAdded(comment_id=comment.id, by_agent=agent)
    )
    await trail.announce(
        session,
        event,
        principal=principal,
        change=Change(
            "ticket_comment",
            str(comment.id),
            before=None,
            after={
                "ticket_id": str(ticket.id),
                "internal": body.internal,
                "author": comment.author,
            },
        ),
        subject=str(ticket.id),
        request_id=request_id,
    )
    if not body.internal:
        await _react_to_reply(session, ticket, principal=principal, at=at, request_id=request_id)
    return comment


async def _react_to_reply(
    session: AsyncSession,
    ticket: Ticket,
    *,
    principal: Principal,
    at: datetime,
    request_id: str | None,
) -> None:
    if is_agent(principal):
        if ticket.first_responded_at is None:
            await _first_response(
                session, ticket, principal=principal, at=at, request_id=request_id
            )
        if ticket.state == "new":
            await apply_move(
                session, principal=principal, ticket=ticket, to="open", at=at, request_id=request_id
            )
    else:
        ticket.requester_replied = True
        if ticket.state in ("pending", "resolved"):
            await apply_move(
                session, principal=principal, ticket=ticket, to="open", at=at, request_id=request_id
            )
    ticket.updated_at = at
    await session.flush()


async def _first_response(
    session: AsyncSession,
    ticket: Ticket,
    *,
    principal: Principal,
    at: datetime,
    request_id: str | None,
) -> None:
    calendar = await calendar_for(session, ticket.service_id)
    before = audited(ticket)
    ticket.first_responded_at = at
    clocks.retarget(ticket, calendar)
    seconds = _seconds(ticket, "first_response", calendar)
    ticket.first_response_seconds = seconds
    late = ticket.first_response_due_at is not None and at > ticket.first_response_due_at
    await _announce(
        session,
        ticket,
        TicketFirstResponded(business_seconds=seconds, breached=late),
        principal=principal,
        before=before,
        request_id=request_id,
    )
    await _settle_late_stops(session, ticket, principal=principal, request_id=request_id)


async def merge_ticket(
    session: AsyncSession,
    *,
    principal: Principal,
    duplicate: Ticket,
    into: Ticket,
    request_id: str | None,
) -> Ticket:
    """Close `duplicate` as merged into `into` (same library); its tags carry over."""
    if duplicate.id == into.id:
        raise CannotMerge("A ticket cannot be merged into itself")
    if "closed" in (duplicate.state, into.state):
        raise CannotMerge("Closed tickets are not merged")
    if duplicate.library_isil != into.library_isil:
        raise CannotMerge("Tickets of two libraries are not duplicates")
    at = utcnow()
    before = audited(into)
    into.tags = sorted(set(into.tags) | set(duplicate.tags))
    into.updated_at = at
    if into.tags != before["tags"]:
        await _announce(
            session,
            into,
            TicketUpdated(changed=["tags"]),
            principal=principal,
            before=before,
            request_id=request_id,
        )
    duplicate.merged_into_id = into.id
    await apply_move(
        session,
        principal=principal,
        ticket=duplicate,
        to="closed",
        at=at,
        request_id=request_id,
        merged_into=into.id,
    )
    return duplicate
