"""HTTP routes of satisfaction: rate a resolved ticket, list ratings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from chassis.audit import request_id_of
from chassis.pagination import Page, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from helpdesk.satisfaction import service
from helpdesk.satisfaction.schemas import RatingIn, RatingOut, RatingQuery
from helpdesk.tickets.deps import TicketDep

router = APIRouter(tags=["satisfaction"])


@router.post(
    "/v1/tickets/{ticket_id}/satisfaction",
    status_code=201,
    summary="Rate the help on a resolved ticket, 1 to 5, once (its requester)",
    response_model=RatingOut,
    responses=problem_responses(403, 404, 409, 422),
)
async def rate_ticket(
    request: Request,
    ticket: TicketDep,
    body: RatingIn,
    session: SessionDep,
    principal: PrincipalDep,
) -> RatingOut:
    rating = await service.rate_ticket(
        session, principal=principal, ticket=ticket, body=body, request_id=request_id_of(request)
    )
    return service.rating_view(rating)


@router.get(
    "/v1/satisfaction",
    summary="List satisfaction ratings",
    response_model=Page[RatingOut],
    responses=problem_responses(400, 422),
)
async def list_ratings(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[RatingQuery, Query()],
) -> Page[RatingOut]:
    rows = await service.list_ratings(
        session, query=page, after=id_after(page), limit=page.limit + 1
    )
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r.id)])
    return Page[RatingOut](items=[service.rating_view(r) for r in cut], next_cursor=next_cursor)
