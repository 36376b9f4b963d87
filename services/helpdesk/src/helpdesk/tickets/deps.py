"""Load-or-404 dependencies of tickets' routes, the caller's scope applied in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.policy import PrincipalDep
from chassis.sessions import SessionDep
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket

TicketId = Annotated[uuid.UUID, PathParam(description="The ticket's id (a UUID)")]


async def _ticket(ticket_id: TicketId, session: SessionDep, principal: PrincipalDep) -> Ticket:
    return await service.get_ticket(session, principal=principal, ticket_id=ticket_id)


TicketDep = Annotated[Ticket, Depends(_ticket)]
