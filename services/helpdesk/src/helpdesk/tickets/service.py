"""Rules of tickets: raised for a library on a supported service, seen by that library and agents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.problems import body_field_error
from chassis.types import utcnow
from helpdesk.catalogue.calendars import business_calendar
from helpdesk.catalogue.models import CalendarRow, SupportService
from helpdesk.db import trail
from helpdesk.hours.calendar import BusinessCalendar
from helpdesk.tickets import clocks
from helpdesk.tickets.access import is_agent, party_of, ticket_scope
from helpdesk.tickets.errors import (
    LibraryRequired,
    NoLibraryInToken,
    NotYoursToSet,
    TicketNotFound,
    UnknownCategory,
    UnknownService,
)
from helpdesk.tickets.events import TicketCreated, TicketUpdated
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import ClockOut, TicketIn, TicketOut, TicketPatch, TicketQuery
from helpdesk.tickets.states import allowed_targets

AGENT_ONLY_FIELDS = ("library_isil", "requester", "received_at")


async def calendar_for(session: AsyncSession, service_id: uuid.UUID) -> BusinessCalendar:
    row = await session.scalar(
        select(CalendarRow)
        .join(SupportService, SupportService.calendar_id == CalendarRow.id)
        .where(SupportService.id == service_id)
    )
    if row is None:
        raise LookupError(f"service {service_id} has no calendar")
    return business_calendar(row)


def satisfaction_asked(ticket: Ticket) -> bool:
    """Asked after resolution, unless an agent raised it and solved it with no word from the library."""
    solved_alone = ticket.raised_by_agent and not ticket.requester_replied
    return ticket.resolved_at is not None and not solved_alone


def _clock_view(ticket: Ticket, name: clocks.ClockName) -> ClockOut:
    return ClockOut(
        target_minutes=int(clocks.target_of(ticket, name).total_seconds() // 60),
        due_at=clocks.due_of(ticket, name),
        stopped_at=clocks.stopped_at(ticket, name),
        breached=clocks.breached(ticket, name),
    )


def ticket_view(ticket: Ticket, *, principal: Principal) -> TicketOut:
    return TicketOut(
        id=ticket.id,
        library_isil=ticket.library_isil,
        requester=ticket.requester,
        raised_by=ticket.raised_by,
        raised_by_agent=ticket.raised_by_agent,
        service_id=ticket.service_id,
        category=ticket.category,
        priority=ticket.priority,
        subject=ticket.subject,
        description=ticket.description,
        channel=ticket.channel,
        state=ticket.state,
        assignee=ticket.assignee,
        group=ticket.group_name,
        tags=ticket.tags,
        merged_into=ticket.merged_into_id,
        reopen_count=ticket.reopen_count,
        first_response=_clock_view(ticket, "first_response"),
        resolution=_clock_view(ticket, "resolution"),
        escalated_at=ticket.escalated_at,
        closed_at=ticket.closed_at,
        allowed_moves=allowed_targets(ticket.state, party_of(principal)),
        satisfaction_asked=satisfaction_asked(ticket),
        version=ticket.version,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


def audited(ticket: Ticket) -> dict[str, Any]:
    return {
        "state": ticket.state,
        "priority": ticket.priority,
        "assignee": ticket.assignee,
        "group": ticket.group_name,
        "category": ticket.category,
        "tags": ticket.tags,
        "merged_into": str(ticket.merged_into_id) if ticket.merged_into_id else None,
        "subject": ticket.subject,
        "service_id": str(ticket.service_id),
        "library_isil": ticket.library_isil,
    }


async def get_ticket(
    session: AsyncSession, *, principal: Principal, ticket_id: uuid.UUID
) -> Ticket:
    """The ticket, if the caller may see it: another library's is 404, as if it did not exist."""
    ticket = await session.scalar(
        select(Ticket).where(Ticket.id == ticket_id, ticket_scope(principal, Ticket.library_isil))
    )
    if ticket is None:
        raise TicketNotFound(f"No ticket {ticket_id} that you may see")
    return ticket


async def list_tickets(
    session: AsyncSession,
    *,
    principal: Principal,
    query: TicketQuery,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[Ticket]:
    """Newest last (ids are time-ordered); the caller's scope applied in the query."""
    statement = (
        select(Ticket)
        .where(ticket_scope(principal, Ticket.library_isil))
        .order_by(Ticket.id)
        .limit(limit)
    )
    filters = {
        Ticket.state: query.state,
        Ticket.service_id: query.service_id,
        Ticket.library_isil: query.library_isil,
        Ticket.assignee: query.assignee,
        Ticket.priority: query.priority,
    }
    for column, value in filters.items():
        if value is not None:
            statement = statement.where(column == value)
    if after is not None:
        statement = statement.where(Ticket.id > after)
    rows = (await session.scalars(statement)).all()
    if query.tag is None:
        return rows
    # Tags are a JSON list; filtered here so one query serves both databases.
    return [t for t in rows if query.tag in t.tags]


async def check_service(
    session: AsyncSession, service_id: uuid.UUID, category: str | None, *, field: str = "category"
) -> SupportService:
    """The active service, with `category` one of its categories (when it lists any)."""
    service = await session.get(SupportService, service_id)
    if service is None or not service.active:
        raise UnknownService("service_id", f"no active supported service {service_id}")
    if category is not None and service.categories and category not in service.categories:
        raise UnknownCategory(
            field,
            f"{category!r} is not a category of {service.code}: {', '.join(service.categories)}",
        )
    return service


def _level(service: SupportService, priority: str) -> dict[str, Any]:
    return next(level for level in service.levels if level["priority"] == priority)


def _library_and_requester(principal: Principal, body: TicketIn) -> tuple[str, str]:
    if is_agent(principal):
        if body.library_isil is None:
            raise LibraryRequired("library_isil", "an agent names the library the ticket is for")
        return body.library_isil, body.requester or principal.subject
    sent = [name for name in AGENT_ONLY_FIELDS if getattr(body, name) not in (None, principal.isil)]
    if sent:
        raise NotYoursToSet(
            "Staff raise tickets for their own library, as themselves",
            errors=[
                body_field_error(name, "set by an agent only", NotYoursToSet.slug) for name in sent
            ],
        )
    if not principal.isil:
        raise NoLibraryInToken("Your token names no library (isil)")
    return principal.isil, principal.subject


async def create_ticket(
    session: AsyncSession,
    *,
    principal: Principal,
    body: TicketIn,
    request_id: str | None,
    now: datetime | None = None,
    ticket_id: uuid.UUID | None = None,
) -> Ticket:
    """Raise a ticket; `now` and `ticket_id` let the demo data and the phone log place it."""
    service = await check_service(session, body.service_id, body.category)
    library, requester = _library_and_requester(principal, body)
    level = _level(service, body.priority)
    at = now or utcnow()
    # Raised when it reached the desk: its clocks and its place in the figures start there.
    raised = body.received_at.astimezone(UTC) if body.received_at is not None else at
    ticket = Ticket(
        id=ticket_id or uuid7(),
        library_isil=library,
        requester=requester,
        raised_by=principal.subject,
        raised_by_agent=is_agent(principal),
        service_id=service.id,
        category=body.category,
        priority=body.priority,
        subject=body.subject,
        description=body.description,
        channel=body.channel,
        state="new",
        assignee=None,
        group_name=None,
        tags=body.tags,
        merged_into_id=None,
        requester_replied=False,
        reopen_count=0,
        first_response_minutes=level["first_response_minutes"],
        resolution_minutes=level["resolution_minutes"],
        pauses=[],
        first_response_breached=False,
        resolution_breached=False,
        created_at=raised,
        updated_at=at,
    )
    clocks.retarget(ticket, await calendar_for(session, service.id))
    session.add(ticket)
    await session.flush()
    await trail.announce(
        session,
        TicketCreated(
            service_id=service.id,
            library_isil=library,
            priority=ticket.priority,
            channel=ticket.channel,
            raised_by_agent=ticket.raised_by_agent,
            raised_at=ticket.created_at,
        ),
        principal=principal,
        change=Change("ticket", str(ticket.id), before=None, after=audited(ticket)),
        subject=str(ticket.id),
        request_id=request_id,
    )
    return ticket


async def update_ticket(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    body: TicketPatch,
    request_id: str | None,
) -> Ticket:
    """An agent's change; a new priority takes that level's targets and re-targets the clocks."""
    sent = body.sent()
    before = audited(ticket)
    if "category" in sent and sent["category"] is not None:
        await check_service(session, ticket.service_id, sent["category"])
    for name, value in sent.items():
        setattr(ticket, "group_name" if name == "group" else name, value)
    if "priority" in sent and before["priority"] != ticket.priority:
        service = await session.get(SupportService, ticket.service_id)
        if service is None:
            raise LookupError(f"ticket {ticket.id} has no service")
        level = _level(service, ticket.priority)
        ticket.first_response_minutes = level["first_response_minutes"]
        ticket.resolution_minutes = level["resolution_minutes"]
        clocks.retarget(ticket, await calendar_for(session, ticket.service_id))
        clocks.unflag_if_due_moved_later(ticket, now=utcnow())
    await trail.record_update(
        session,
        row=ticket,
        principal=principal,
        change=Change("ticket", str(ticket.id), before=before, after=audited(ticket)),
        subject=str(ticket.id),
        request_id=request_id,
        event=lambda changed: TicketUpdated(changed=changed),
    )
    return ticket
