"""HTTP routes of imports: a CSV file of figures, checked whole (a refused file changes nothing
and its report names each bad row), then written in the background; the import resource says
how far it got."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import tagged_json
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from kpi.imports import service
from kpi.imports.deps import ImportDep, csv_body
from kpi.imports.schemas import ImportOut
from kpi.resources import ResourcesDep

router = APIRouter(tags=["imports"])

_EXAMPLE = (
    "indicator,organisation,period,value,status,comment\n"
    "loans,NO-2030000,2025-01,10234,final,\n"
    "visits,1804,2025-01,8120,provisional,door counter\n"
)
CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "UTF-8 CSV, comma-separated, with a header row: indicator, organisation, period, "
            "value, and optionally status (provisional, final) and comment. Organisations by "
            "their natural code: ISIL, municipality or county number (`county:18` where a "
            "number could name either)."
        ),
        "content": {"text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE}},
    }
}


@router.post(
    "/v1/observations/import",
    status_code=202,
    summary="Import figures from CSV: all or nothing, with a row-by-row report",
    response_model=ImportOut,
    responses=problem_responses(400, 403, 413, 415, 422),
    openapi_extra=CSV_BODY,
)
async def import_observations(
    request: Request,
    data: Annotated[bytes, Depends(csv_body)],
    session: SessionDep,
    principal: PrincipalDep,
    resources: ResourcesDep,
    background: BackgroundTasks,
) -> JSONResponse:
    rows = await service.checked_rows(session, principal=principal, data=data)
    record = await service.start_import(
        session, principal=principal, rows_total=len(rows), request_id=request_id_of(request)
    )
    # Runs once the answer is sent, so after this request's transaction has committed.
    background.add_task(
        resources.imports.run,
        import_id=record.id,
        principal=principal,
        rows=rows,
        request_id=request_id_of(request),
    )
    return tagged_json(
        service.import_view(record),
        record,
        status_code=202,
        headers={"Location": f"/v1/observations/imports/{record.id}"},
    )


@router.get(
    "/v1/observations/imports/{import_id}",
    summary="Read an import: its state, and how many rows it has written",
    response_model=ImportOut,
    responses=problem_responses(404, 422),
)
async def get_import(record: ImportDep, resources: ResourcesDep) -> Response:
    view = service.import_view(record, written=resources.imports.written(record.id))
    return tagged_json(view, record, headers={"Cache-Control": "no-store"})
