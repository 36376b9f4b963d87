"""HTTP routes of usage reports: a COUNTER report uploaded for a product (and whose usage it
is), answered with what was read so the uploader can check the figures."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response

from chassis.audit import request_id_of
from chassis.concurrency import RenderedJSON
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.usage import service
from kpi.usage.counter.reader import JSON, TABULAR
from kpi.usage.errors import NotReportMedia
from kpi.usage.schemas import UsageReportOut, UsageUploadQuery

router = APIRouter(tags=["usage"])

REPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "A COUNTER Release 5 or 5.1 report (PR, DR, TR, IR or a standard view): JSON as "
            "SUSHI answers it, or the tabular form (TSV; CSV as some vendors export it)."
        ),
        "content": {
            JSON: {"schema": {"type": "object"}},
            **{media: {"schema": {"type": "string"}} for media in TABULAR},
        },
    }
}


async def report_body(request: Request) -> tuple[bytes, str]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != JSON and media not in TABULAR:
        raise NotReportMedia(
            f"Send the report as {JSON} or {', '.join(TABULAR)}, not {media or 'nothing'}"
        )
    return await request.body(), media


@router.post(
    "/v1/usage-reports",
    status_code=201,
    summary="Upload a COUNTER report for a product: answered with what was read",
    response_model=UsageReportOut,
    responses=problem_responses(400, 403, 413, 415, 422),
    openapi_extra=REPORT_BODY,
)
async def upload_usage_report(
    request: Request,
    query: Annotated[UsageUploadQuery, Query()],
    body: Annotated[tuple[bytes, str], Depends(report_body)],
    session: SessionDep,
    principal: PrincipalDep,
) -> JSONResponse:
    data, media = body
    record = await service.upload_report(
        session,
        principal=principal,
        product_id=query.product_id,
        organisation=query.organisation,
        data=data,
        media=media,
        request_id=request_id_of(request),
    )
    view = service.usage_view(record)
    return RenderedJSON(
        view.__pydantic_serializer__.to_json(view),
        status_code=201,
        headers={"Location": f"/v1/usage-reports/{record.id}"},
    )


@router.get(
    "/v1/usage-reports/{report_id}",
    summary="Read what an uploaded COUNTER report said",
    response_model=UsageReportOut,
    responses=problem_responses(404, 422),
)
async def get_usage_report(
    report_id: Annotated[uuid.UUID, PathParam(description="The usage report's id")],
    session: SessionDep,
) -> Response:
    view = service.usage_view(await service.get_report(session, report_id=report_id))
    return RenderedJSON(view.__pydantic_serializer__.to_json(view))
