"""GET a ticket's SLA clocks with the explanation of their due times."""

from __future__ import annotations

from fastapi import APIRouter

from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from chassis.types import utcnow
from helpdesk.sla import service
from helpdesk.sla.schemas import SlaOut
from helpdesk.tickets.deps import TicketDep

router = APIRouter(tags=["tickets"])


@router.get(
    "/v1/tickets/{ticket_id}/sla",
    summary="A ticket's SLA clocks: due times, and the intervals counted and skipped, with why",
    response_model=SlaOut,
    responses=problem_responses(404, 422),
)
async def explain_sla(ticket: TicketDep, session: SessionDep) -> SlaOut:
    return await service.explain_ticket(session, ticket=ticket, now=utcnow())
