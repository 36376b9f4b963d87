"""Rules of satisfaction: the requester rates a resolved ticket once; never one an agent solved alone."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from helpdesk.db import trail
from helpdesk.satisfaction.errors import AlreadyRated, NotAsked, NotResolvedYet, NotTheRequester
from helpdesk.satisfaction.events import CsatGiven
from helpdesk.satisfaction.models import Rating
from helpdesk.satisfaction.schemas import RatingIn, RatingOut, RatingQuery
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.service import satisfaction_asked


def rating_view(rating: Rating) -> RatingOut:
    return RatingOut.model_validate(rating)


async def rate_ticket(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    body: RatingIn,
    request_id: str | None,
) -> Rating:
    if principal.subject != ticket.requester:
        raise NotTheRequester("Only the ticket's requester rates the help")
    if ticket.state not in ("resolved", "closed") or ticket.resolved_at is None:
        raise NotResolvedYet("A ticket is rated after it is resolved")
    if not satisfaction_asked(ticket):
        raise NotAsked("An agent raised and solved this ticket alone; it is not rated")
    if await session.scalar(select(Rating.id).where(Rating.ticket_id == ticket.id)) is not None:
        raise AlreadyRated("This ticket has been rated")
    now = utcnow()
    rating = Rating(
        id=uuid7(),
        ticket_id=ticket.id,
        library_isil=ticket.library_isil,
        service_id=ticket.service_id,
        rating=body.rating,
        comment=body.comment,
        rater=principal.subject,
        created_at=now,
        updated_at=now,
    )
    session.add(rating)
    await session.flush()
    await trail.announce(
        session,
        CsatGiven(
            ticket_id=ticket.id,
            library_isil=ticket.library_isil,
            service_id=ticket.service_id,
            rating=body.rating,
        ),
        principal=principal,
        change=Change(
            "satisfaction_rating",
            str(rating.id),
            before=None,
            after={"ticket_id": str(ticket.id), "rating": body.rating, "comment": body.comment},
        ),
        subject=str(ticket.id),
        request_id=request_id,
    )
    return rating


async def list_ratings(
    session: AsyncSession, *, query: RatingQuery, after: uuid.UUID | None, limit: int
) -> Sequence[Rating]:
    statement = select(Rating).order_by(Rating.id).limit(limit)
    if query.service_id is not None:
        statement = statement.where(Rating.service_id == query.service_id)
    if query.library_isil is not None:
        statement = statement.where(Rating.library_isil == query.library_isil)
    if after is not None:
        statement = statement.where(Rating.id > after)
    return (await session.scalars(statement)).all()
