"""The published service catalogue: read by anyone, cached by ETag."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from chassis.concurrency import NOT_MODIFIED, RenderedJSON, matches_if_none_match
from chassis.pagination import Page, cut_page, id_after
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from helpdesk.figures.service import quarter_results
from helpdesk.promises import service
from helpdesk.promises.schemas import CatalogueQuery, PublishedServiceOut
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
    content = body.__pydantic_serializer__.to_json(body)
    tag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {
        "ETag": tag,
        "Cache-Control": PUBLIC_CACHE,
        "Content-Language": language,
        "Vary": "Accept-Language",
    }
    if "link" in response.headers:
        headers["Link"] = response.headers["link"]
    if matches_if_none_match(request, tag):
        return Response(status_code=304, headers=headers)
    return RenderedJSON(content, headers=headers)
