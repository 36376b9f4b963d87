"""Rules of attachments: accepted types proven by content, limited size, internal for agents."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.problems import body_field_error
from chassis.types import utcnow
from helpdesk.db import trail
from helpdesk.tickets.access import is_agent, sees_internal
from helpdesk.tickets.attachments.content import ACCEPTED, matches, sniff
from helpdesk.tickets.attachments.errors import (
    AttachmentTooLarge,
    ContentNotDeclaredType,
    EmptyAttachment,
    ForbiddenMediaType,
)
from helpdesk.tickets.attachments.events import AttachmentAdded
from helpdesk.tickets.attachments.schemas import AttachmentOut
from helpdesk.tickets.errors import NotYoursToSet, TicketClosed, TicketNotFound
from helpdesk.tickets.models import Ticket, TicketAttachment


@dataclass(frozen=True)
class Upload:
    filename: str
    # The Content-Type the client declared, checked against the content.
    declared: str | None
    content: bytes
    internal: bool


def attachment_view(row: TicketAttachment) -> AttachmentOut:
    return AttachmentOut(
        id=row.id,
        ticket_id=row.ticket_id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        sha256=row.sha256,
        visibility="internal" if row.internal else "public",
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
    )


def checked_type(declared: str | None, content: bytes, *, max_bytes: int) -> str:
    """The attachment's media type, once its size, declared type and content agree."""
    if len(content) > max_bytes:
        raise AttachmentTooLarge(f"An attachment is at most {max_bytes} bytes, not {len(content)}")
    if not content:
        raise EmptyAttachment("The attachment is empty")
    media_type = (declared or "").split(";")[0].strip().lower()
    if media_type not in ACCEPTED:
        raise ForbiddenMediaType(
            f"Attachments are {', '.join(ACCEPTED)}; not {media_type or 'an undeclared type'}"
        )
    found = sniff(content)
    if found is None or not matches(media_type, found):
        raise ContentNotDeclaredType(
            f"The content is {found or 'of no accepted type'}, not the declared {media_type}"
        )
    return media_type


async def add_attachment(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    upload: Upload,
    max_bytes: int,
    request_id: str | None,
) -> TicketAttachment:
    filename, content, internal = upload.filename, upload.content, upload.internal
    if ticket.state == "closed":
        raise TicketClosed(f"Ticket {ticket.id} is closed; raise a new one")
    if internal and not is_agent(principal):
        raise NotYoursToSet(
            "Only agents add internal attachments",
            errors=[body_field_error("internal", "agents only", NotYoursToSet.slug)],
        )
    media_type = checked_type(upload.declared, content, max_bytes=max_bytes)
    row = TicketAttachment(
        id=uuid7(),
        ticket_id=ticket.id,
        filename=filename,
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        internal=internal,
        uploaded_by=principal.subject,
        content=content,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    await trail.announce(
        session,
        AttachmentAdded(
            attachment_id=row.id, media_type=media_type, size=row.size, internal=internal
        ),
        principal=principal,
        change=Change(
            "ticket_attachment",
            str(row.id),
            before=None,
            after=attachment_view(row).model_dump(mode="json", exclude={"id", "created_at"}),
        ),
        subject=str(ticket.id),
        request_id=request_id,
    )
    return row


async def list_attachments(
    session: AsyncSession,
    *,
    principal: Principal,
    ticket: Ticket,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[TicketAttachment]:
    query = (
        select(TicketAttachment)
        .where(TicketAttachment.ticket_id == ticket.id)
        .order_by(TicketAttachment.id)
        .limit(limit)
    )
    if not sees_internal(principal):
        query = query.where(TicketAttachment.internal.is_(False))
    if after is not None:
        query = query.where(TicketAttachment.id > after)
    return (await session.scalars(query)).all()


async def get_attachment(
    session: AsyncSession, *, principal: Principal, ticket: Ticket, attachment_id: uuid.UUID
) -> TicketAttachment:
    query = select(TicketAttachment).where(
        TicketAttachment.id == attachment_id, TicketAttachment.ticket_id == ticket.id
    )
    if not sees_internal(principal):
        query = query.where(TicketAttachment.internal.is_(False))
    row = await session.scalar(query)
    if row is None:
        raise TicketNotFound(f"No attachment {attachment_id} on this ticket that you may see")
    return row
