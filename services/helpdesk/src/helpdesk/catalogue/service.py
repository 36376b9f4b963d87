"""Rules of the service catalogue: unique codes, calendars that exist, promises for every priority."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import Change
from chassis.auth import Principal
from chassis.ids import uuid7
from chassis.types import utcnow
from helpdesk.catalogue.errors import (
    CalendarNotFound,
    DuplicateCode,
    ServiceNotFound,
    UnknownCalendar,
)
from helpdesk.catalogue.events import (
    CalendarCreated,
    CalendarUpdated,
    ServiceCreated,
    ServiceUpdated,
)
from helpdesk.catalogue.models import CalendarRow, SupportService
from helpdesk.catalogue.schemas import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    ServiceIn,
    ServiceOut,
    ServicePatch,
)
from helpdesk.db import trail


def calendar_view(row: CalendarRow) -> CalendarOut:
    return CalendarOut.model_validate(row)


def service_view(row: SupportService) -> ServiceOut:
    return ServiceOut.model_validate(row)


def _calendar_audited(row: CalendarRow) -> dict[str, Any]:
    return calendar_view(row).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at"}
    )


def _service_audited(row: SupportService) -> dict[str, Any]:
    return service_view(row).model_dump(
        mode="json", exclude={"id", "version", "created_at", "updated_at"}
    )


async def get_calendar(session: AsyncSession, *, calendar_id: uuid.UUID) -> CalendarRow:
    row = await session.get(CalendarRow, calendar_id)
    if row is None:
        raise CalendarNotFound(f"No business calendar {calendar_id}")
    return row


async def list_calendars(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[CalendarRow]:
    query = select(CalendarRow).order_by(CalendarRow.id).limit(limit)
    if after is not None:
        query = query.where(CalendarRow.id > after)
    return (await session.scalars(query)).all()


async def _refuse_taken_code(session: AsyncSession, model: Any, code: str) -> None:
    if await session.scalar(select(model.id).where(model.code == code)) is not None:
        raise DuplicateCode("code", f"the code {code!r} is taken")


async def create_calendar(
    session: AsyncSession,
    *,
    principal: Principal,
    body: CalendarIn,
    request_id: str | None,
    calendar_id: uuid.UUID | None = None,
) -> CalendarRow:
    """Register a calendar; `calendar_id` lets the demo data give its calendars fixed ids."""
    await _refuse_taken_code(session, CalendarRow, body.code)
    now = utcnow()
    data = body.model_dump(mode="json")
    row = CalendarRow(id=calendar_id or uuid7(), created_at=now, updated_at=now, **data)
    session.add(row)
    await session.flush()
    await trail.announce(
        session,
        CalendarCreated(code=row.code),
        principal=principal,
        change=Change("business_calendar", str(row.id), before=None, after=_calendar_audited(row)),
        subject=str(row.id),
        request_id=request_id,
    )
    return row


async def update_calendar(
    session: AsyncSession,
    *,
    principal: Principal,
    row: CalendarRow,
    body: CalendarPatch,
    request_id: str | None,
) -> CalendarRow:
    before = _calendar_audited(row)
    sent = body.model_dump(mode="json", include=set(body.sent()))
    for name, value in sent.items():
        setattr(row, name, value)
    await trail.record_update(
        session,
        row=row,
        principal=principal,
        change=Change(
            "business_calendar", str(row.id), before=before, after=_calendar_audited(row)
        ),
        subject=str(row.id),
        request_id=request_id,
        event=lambda changed: CalendarUpdated(changed=changed),
    )
    return row


async def get_service(session: AsyncSession, *, service_id: uuid.UUID) -> SupportService:
    row = await session.get(SupportService, service_id)
    if row is None:
        raise ServiceNotFound(f"No supported service {service_id}")
    return row


async def list_services(
    session: AsyncSession, *, active: bool | None, after: uuid.UUID | None, limit: int
) -> Sequence[SupportService]:
    query = select(SupportService).order_by(SupportService.id).limit(limit)
    if active is not None:
        query = query.where(SupportService.active == active)
    if after is not None:
        query = query.where(SupportService.id > after)
    return (await session.scalars(query)).all()


async def _require_calendar(session: AsyncSession, calendar_id: uuid.UUID) -> None:
    if await session.get(CalendarRow, calendar_id) is None:
        raise UnknownCalendar("calendar_id", f"no business calendar {calendar_id}")


async def create_service(
    session: AsyncSession,
    *,
    principal: Principal,
    body: ServiceIn,
    request_id: str | None,
    service_id: uuid.UUID | None = None,
) -> SupportService:
    await _refuse_taken_code(session, SupportService, body.code)
    await _require_calendar(session, body.calendar_id)
    now = utcnow()
    data = body.model_dump(mode="json")
    data["calendar_id"] = body.calendar_id
    data["product_id"] = body.product_id
    row = SupportService(id=service_id or uuid7(), created_at=now, updated_at=now, **data)
    session.add(row)
    await session.flush()
    await trail.announce(
        session,
        ServiceCreated(code=row.code),
        principal=principal,
        change=Change("service", str(row.id), before=None, after=_service_audited(row)),
        subject=str(row.id),
        request_id=request_id,
    )
    return row


async def update_service(
    session: AsyncSession,
    *,
    principal: Principal,
    row: SupportService,
    body: ServicePatch,
    request_id: str | None,
) -> SupportService:
    sent = body.sent()
    if "calendar_id" in sent:
        await _require_calendar(session, sent["calendar_id"])
    before = _service_audited(row)
    for name, value in body.model_dump(mode="json", include=set(sent)).items():
        setattr(row, name, sent[name] if name == "calendar_id" else value)
    await trail.record_update(
        session,
        row=row,
        principal=principal,
        change=Change("service", str(row.id), before=before, after=_service_audited(row)),
        subject=str(row.id),
        request_id=request_id,
        event=lambda changed: ServiceUpdated(changed=changed),
    )
    return row
