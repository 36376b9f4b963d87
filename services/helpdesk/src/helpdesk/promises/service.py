"""The published catalogue assembled from the active services and their calendars."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpdesk.catalogue.calendars import business_calendar
from helpdesk.catalogue.models import CalendarRow, SupportService
from helpdesk.figures.schemas import PerformanceRow
from helpdesk.hours.calendar import BusinessCalendar
from helpdesk.promises.schemas import (
    ClosureOut,
    PromiseOut,
    PublishedCalendarOut,
    PublishedServiceOut,
    ResultOut,
)
from helpdesk.texts import pick

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


async def published_services(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[tuple[SupportService, CalendarRow]]:
    query = (
        select(SupportService, CalendarRow)
        .join(CalendarRow, CalendarRow.id == SupportService.calendar_id)
        .where(SupportService.active.is_(True))
        .order_by(SupportService.id)
        .limit(limit)
    )
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
