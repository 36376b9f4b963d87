"""Load-or-404 dependencies of the catalogue's routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from fastapi import Path as PathParam

from chassis.sessions import SessionDep
from helpdesk.catalogue import service
from helpdesk.catalogue.models import CalendarRow, SupportService

CalendarId = Annotated[uuid.UUID, PathParam(description="The calendar's id (a UUID)")]
ServiceId = Annotated[uuid.UUID, PathParam(description="The service's id (a UUID)")]


async def _calendar(calendar_id: CalendarId, session: SessionDep) -> CalendarRow:
    return await service.get_calendar(session, calendar_id=calendar_id)


async def _service(service_id: ServiceId, session: SessionDep) -> SupportService:
    return await service.get_service(session, service_id=service_id)


CalendarDep = Annotated[CalendarRow, Depends(_calendar)]
ServiceDep = Annotated[SupportService, Depends(_service)]
