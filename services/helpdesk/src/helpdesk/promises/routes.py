"""The published service catalogue: read by anyone, cached by ETag."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from chassis.concurrency import NOT_MODIFIED, conditional_content
from chassis.pagination import Page, cut_page, id_after
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from chassis.types import utcnow
from helpdesk.catalogue.deps import ServiceId
from helpdesk.figures.service import quarter_results
from helpdesk.promises import service
from helpdesk.promises.schemas import (
    CatalogueQuery,
    DueTimesOut,
    DueTimesQuery,
    PublishedServiceOut,
)
from helpdesk.resources import ResourcesDep
from helpdesk.texts import negotiate

router = APIRouter(tags=["catalogue"])
PUBLIC_CACHE = "public, max-age=60"


@router.get(
    "/v1/service-catalogue",
    summary="The published service catalogue: services, channels, hours and promises",
    response_model=Page[PublishedServiceOut],
    responses={
        200: {
            "headers": {
                "Content-Language": {
                    "schema": {"type": "string"},
                    "description": "The language the texts were chosen in (Accept-Language)",
                }
            }
        },
        **NOT_MODIFIED,
        **problem_responses(400, 422),
    },
)
async def read_service_catalogue(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[CatalogueQuery, Query()],
    resources: ResourcesDep,
) -> Response:
    rows = await service.published_services(session, after=id_after(page), limit=page.limit + 1)
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda r: [str(r[0].id)])
    today = datetime.now(UTC).date()
    results = await resources.quarter_results.get(
        today, lambda: quarter_results(session, today=today)
    )
    language = negotiate(request.headers.get("accept-language"))
    body = Page[PublishedServiceOut](
        items=[
            service.published_view(s, c, today=today, results=results, language=language)
            for s, c in cut
        ],
        next_cursor=next_cursor,
    )
    headers = {
        "Cache-Control": PUBLIC_CACHE,
        "Content-Language": language,
        "Vary": "Accept-Language",
    }
    if "link" in response.headers:
        headers["Link"] = response.headers["link"]
    return conditional_content(
        request,
        body.__pydantic_serializer__.to_json(body),
        media_type="application/json",
        headers=headers,
    )


@router.get(
    "/v1/service-catalogue/{service_id}/due-times",
    summary="The due times a ticket of a priority raised at a moment would get, explained",
    description="The published promise worked out on the service's business calendar: for a "
    "ticket raised at `raised_at` (default now), when the first response and the resolution "
    "are due, and the intervals counted and skipped between, with why (business hours, "
    "closed, weekend, public holiday, local closing day). The same arithmetic as a ticket's "
    "own `GET /v1/tickets/{id}/sla`. Anyone may ask.",
    response_model=DueTimesOut,
    responses=problem_responses(404, 422),
)
async def read_due_times(
    service_id: ServiceId,
    query: Annotated[DueTimesQuery, Query()],
    response: Response,
    session: SessionDep,
) -> DueTimesOut:
    supported, calendar = await service.published_service(session, service_id)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return service.due_times(
        supported, calendar, priority=query.priority, raised_at=query.raised_at or utcnow()
    )
