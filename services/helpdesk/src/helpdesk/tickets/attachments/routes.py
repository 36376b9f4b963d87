"""HTTP routes of attachments: upload (JSON, base64 content), list, download."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from chassis.audit import request_id_of
from chassis.pagination import Page, PageQueryDep, cut_page, id_after
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from helpdesk.deps import SettingsDep
from helpdesk.tickets.attachments import service
from helpdesk.tickets.attachments.content import ACCEPTED
from helpdesk.tickets.attachments.schemas import AttachmentIn, AttachmentOut
from helpdesk.tickets.deps import TicketDep

router = APIRouter(tags=["tickets"])


@router.post(
    "/v1/tickets/{ticket_id}/attachments",
    status_code=201,
    summary="Attach a file (PNG, JPEG, GIF, PDF, text); its type is checked by its content",
    response_model=AttachmentOut,
    responses=problem_responses(403, 404, 409, 413, 415, 422),
)
async def add_attachment(
    request: Request,
    ticket: TicketDep,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: AttachmentIn,
) -> AttachmentOut:
    row = await service.add_attachment(
        session,
        principal=principal,
        ticket=ticket,
        upload=service.Upload(
            filename=body.filename,
            declared=body.media_type,
            content=body.content,
            internal=body.internal,
        ),
        max_bytes=settings.attachment_max_bytes,
        request_id=request_id_of(request),
    )
    return service.attachment_view(row)


@router.get(
    "/v1/tickets/{ticket_id}/attachments",
    summary="List a ticket's attachments (staff: public ones only)",
    response_model=Page[AttachmentOut],
    responses=problem_responses(400, 404, 422),
)
async def list_attachments(
    request: Request,
    response: Response,
    ticket: TicketDep,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageQueryDep,
) -> Page[AttachmentOut]:
    rows = await service.list_attachments(
        session, principal=principal, ticket=ticket, after=id_after(page), limit=page.limit + 1
    )
    cut, next_cursor = cut_page(request, response, rows, page=page, key=lambda a: [str(a.id)])
    return Page[AttachmentOut](
        items=[service.attachment_view(a) for a in cut], next_cursor=next_cursor
    )


@router.get(
    "/v1/tickets/{ticket_id}/attachments/{attachment_id}",
    summary="Download an attachment",
    response_class=Response,
    responses={
        200: {"description": "The file", "content": {t: {} for t in ACCEPTED}},
        **problem_responses(404, 422),
    },
)
async def download_attachment(
    ticket: TicketDep,
    session: SessionDep,
    principal: PrincipalDep,
    attachment_id: Annotated[uuid.UUID, Path(description="The attachment's id")],
) -> Response:
    row = await service.get_attachment(
        session, principal=principal, ticket=ticket, attachment_id=attachment_id
    )
    return Response(
        row.content,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{row.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-cache",
            "ETag": f'"{row.sha256[:32]}"',
        },
    )
