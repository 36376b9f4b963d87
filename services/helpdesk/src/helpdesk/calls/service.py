"""Rules of the phone log: a known service and topic, a real duration, a ticket of the same library."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from helpdesk.calls.errors import CallInFuture, CallNotFound, TicketOfAnotherLibrary, UnknownTicket
from helpdesk.calls.events import CallLogged
from helpdesk.calls.models import Call
from helpdesk.calls.schemas import CallIn, CallOut, CallQuery
from helpdesk.db import trail
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import TicketIn
from helpdesk.tickets.service import check_service, create_ticket

# Clocks differ a little; a call "a minute from now" is a typo, one in an hour is refused.
CLOCK_SKEW = timedelta(minutes=5)


def call_view(call: Call) -> CallOut:
    return CallOut.model_validate(call)


async def get_call(session: AsyncSession, *, call_id: uuid.UUID) -> Call:
    call = await session.get(Call, call_id)
    if call is None:
        raise CallNotFound(f"No call {call_id}")
    return call


async def list_calls(
    session: AsyncSession, *, query: CallQuery, after: uuid.UUID | None, limit: int
) -> Sequence[Call]:
    statement = select(Call).order_by(Call.id).limit(limit)
    for column, value in {
        Call.library_isil: query.library_isil,
        Call.service_id: query.service_id,
        Call.outcome: query.outcome,
    }.items():
        if value is not None:
            statement = statement.where(column == value)
    if after is not None:
        statement = statement.where(Call.id > after)
    return (await session.scalars(statement)).all()


async def _linked_ticket(session: AsyncSession, ticket_id: uuid.UUID, isil: str) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise UnknownTicket("ticket_id", f"no ticket {ticket_id}")
    if ticket.library_isil != isil:
        raise TicketOfAnotherLibrary("ticket_id", f"ticket {ticket_id} is not {isil}'s")
    return ticket


async def log_call(
    session: AsyncSession,
    *,
    principal: Principal,
    body: CallIn,
    request_id: str | None,
    now: datetime | None = None,
) -> Call:
    at = now or utcnow()
    occurred = body.occurred_at or at
    if occurred > at + CLOCK_SKEW:
        raise CallInFuture("occurred_at", "a call is logged after it happened")
    await check_service(session, body.service_id, body.topic, field="topic")
    ticket_id = body.ticket_id
    if ticket_id is not None:
        await _linked_ticket(session, ticket_id, body.library_isil)
    if body.ticket is not None:
        raised = await create_ticket(
            session,
            principal=principal,
            body=TicketIn(
                service_id=body.service_id,
                category=body.topic,
                priority=body.ticket.priority,
                subject=body.ticket.subject,
                description=body.ticket.description,
                channel="phone",
                library_isil=body.library_isil,
                requester=body.caller,
            ),
            request_id=request_id,
            now=occurred,
        )
        ticket_id = raised.id
    call = Call(
        id=uuid7(),
        library_isil=body.library_isil,
        caller=body.caller,
        service_id=body.service_id,
        topic=body.topic,
        duration_seconds=body.duration_seconds,
        outcome=body.outcome,
        ticket_id=ticket_id,
        note=body.note,
        agent=principal.subject,
        occurred_at=occurred,
        created_at=at,
        updated_at=at,
    )
    session.add(call)
    await session.flush()
    await trail.announce(
        session,
        CallLogged(
            library_isil=call.library_isil,
            service_id=call.service_id,
            topic=call.topic,
            duration_seconds=call.duration_seconds,
            outcome=call.outcome,
            ticket_id=call.ticket_id,
            occurred_at=call.occurred_at,
        ),
        principal=principal,
        change=Change(
            "call",
            str(call.id),
            before=None,
            after=call_view(call).model_dump(mode="json", exclude={"id", "version", "created_at"}),
        ),
        subject=str(call.id),
        request_id=request_id,
    )
    return call
