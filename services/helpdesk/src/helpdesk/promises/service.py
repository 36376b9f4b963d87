"""The published catalogue assembled from the active services and their calendars."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.catalogue.calendars import business_calendar
from helpdesk.catalogue.errors import ServiceNotFound
from helpdesk.catalogue.models import CalendarRow, SupportService
from helpdesk.figures.schemas import PerformanceRow
from helpdesk.hours.calendar import BusinessCalendar
from helpdesk.hours.clock import NoBusinessTime, add, explain
from helpdesk.promises.schemas import (
    ClosureOut,
    DueTimeOut,
    DueTimesOut,
    PromiseOut,
    PublishedCalendarOut,
    PublishedServiceOut,
    ResultOut,
)
from helpdesk.sla.service import intervals_out
from helpdesk.texts import pick
from helpdesk.tickets.clocks import CLOCKS

UPCOMING_DAYS = 60


def upcoming_closures(calendar: BusinessCalendar, *, today: date) -> list[ClosureOut]:
    """Days that would be open by the weekly hours but are closed, from today on."""
    closures = []
    for offset in range(UPCOMING_DAYS):
        day = today + timedelta(days=offset)
        if not calendar.weekly.get(day.weekday()):
            continue
        plan = calendar.plan(day)
        if plan.closed_reason:
            closures.append(ClosureOut(date=day, reason=plan.closed_reason))
    return closures


def _published() -> Select[SupportService, CalendarRow]:
    """The active services with their calendars: what the desk publishes."""
    return (
        select(SupportService, CalendarRow)
        .join(CalendarRow, CalendarRow.id == SupportService.calendar_id)
        .where(SupportService.active.is_(True))
    )


async def published_services(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[tuple[SupportService, CalendarRow]]:
    query = _published().order_by(SupportService.id).limit(limit)
    if after is not None:
        query = query.where(SupportService.id > after)
    return [(s, c) for s, c in (await session.execute(query)).all()]


def _promise(level: dict[str, Any], result: PerformanceRow | None, *, period: str) -> PromiseOut:
    return PromiseOut(
        priority=level["priority"],
        first_response_minutes=level["first_response_minutes"],
        resolution_minutes=level["resolution_minutes"],
        last_quarter=ResultOut(
            period=period,
            tickets=result.tickets if result else 0,
            first_response_compliance_percent=result and result.first_response_compliance_percent,
            first_response_median_minutes=result and result.first_response_median_minutes,
            resolution_compliance_percent=result and result.resolution_compliance_percent,
            resolution_median_minutes=result and result.resolution_median_minutes,
        ),
    )


def published_view(
    service: SupportService,
    calendar: CalendarRow,
    *,
    today: date,
    results: tuple[str, dict[tuple[uuid.UUID, str], PerformanceRow]],
    language: str,
) -> PublishedServiceOut:
    period, by_level = results
    hours = business_calendar(calendar)
    return PublishedServiceOut.model_validate(
        {
            "id": service.id,
            "code": service.code,
            "kind": service.kind,
            "product_id": service.product_id,
            "name": pick(service.name, language),
            "description": pick(service.description, language),
            "categories": service.categories,
            "channels": service.channels,
            "calendar": PublishedCalendarOut(
                code=calendar.code,
                name=pick(calendar.name, language),
                time_zone=calendar.time_zone,
                weekly_hours=calendar.weekly_hours,
                holidays=calendar.holidays,
                upcoming_closures=upcoming_closures(hours, today=today),
            ),
            "promises": [
                _promise(level, by_level.get((service.id, level["priority"])), period=period)
                for level in service.levels
            ],
        }
    )


async def published_service(
    session: AsyncSession, service_id: uuid.UUID
) -> tuple[SupportService, CalendarRow]:
    """An active service with its calendar; a retired or unknown one is not published (404)."""
    found = (await session.execute(_published().where(SupportService.id == service_id))).first()
    if found is None:
        raise ServiceNotFound(f"No published service {service_id}")
    return found[0], found[1]


def due_times(
    service: SupportService, calendar: CalendarRow, *, priority: str, raised_at: datetime
) -> DueTimesOut:
    """The due times of the service's promise for a ticket raised at `raised_at`, explained
    as a ticket's own SLA view explains them (the same hours module)."""
    level = next(level for level in service.levels if level["priority"] == priority)
    hours = business_calendar(calendar)
    worked_out = []
    for clock in CLOCKS:
        minutes = level[f"{clock}_minutes"]
        try:
            due = add(hours, raised_at, timedelta(minutes=minutes))
        except NoBusinessTime:
            due = None
        worked_out.append(
            DueTimeOut(
                clock=clock,
                target_minutes=minutes,
                due_at=due,
                local_due_at=None if due is None else due.astimezone(hours.tz).isoformat(),
                intervals=[]
                if due is None
                else intervals_out(explain(hours, raised_at, due), hours.tz),
            )
        )
    return DueTimesOut(
        service_id=service.id,
        priority=priority,
        calendar=calendar.code,
        time_zone=calendar.time_zone,
        raised_at=raised_at,
        local_raised_at=raised_at.astimezone(hours.tz).isoformat(),
        clocks=worked_out,
    )
