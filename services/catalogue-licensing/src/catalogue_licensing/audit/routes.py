"""HTTP route of the audit trail: programme administrators read who changed what, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from catalogue_licensing.audit import service
from catalogue_licensing.audit.schemas import AuditEntryOut
from catalogue_licensing.pages import cut_page
from chassis.pagination import Page, PageParamsDep, decode_cursor
from chassis.problems import ProblemError, problem_responses
from chassis.sessions import SessionDep

router = APIRouter(tags=["audit"])


@router.get(
    "/v1/audit-log",
    summary="Read the audit trail, newest first",
    response_model=Page[AuditEntryOut],
    responses=problem_responses(400, 422),
)
async def list_audit_entries(
    request: Request,
    response: Response,
    session: SessionDep,
    page: PageParamsDep,
    resource_type: Annotated[
        str | None, Query(max_length=40, description="e.g. product, vendor, library, agreement")
    ] = None,
    resource_id: Annotated[
        str | None, Query(max_length=64, description="The resource's id, ISIL or number")
    ] = None,
) -> Page[AuditEntryOut]:
    before_seq = None
    if page.cursor is not None:
        (raw,) = decode_cursor(page.cursor, arity=1)
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ProblemError(400, "bad-cursor", "The cursor is not one this API issued")
        before_seq = raw
    rows = await service.list_entries(
        session,
        resource_type=resource_type,
        resource_id=resource_id,
        before_seq=before_seq,
        limit=page.limit + 1,
    )
    entries, next_cursor = cut_page(request, response, rows, page=page, key=lambda e: [e.seq])
    return Page[AuditEntryOut](
        items=[AuditEntryOut.model_validate(e) for e in entries], next_cursor=next_cursor
    )
