"""Plain factories for the helpdesk tests: valid request bodies, and sessions that commit."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.runtime import app_runtime
from helpdesk.db import outbox

_serial = itertools.count(1)
OFFICE = [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]


@asynccontextmanager
async def committed(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session of the running app whose writes commit when the block ends."""
    async with app_runtime(app).db.writer() as session, session.begin():
        yield session


async def event_types(app: FastAPI) -> list[str]:
    async with committed(app) as session:
        return list((await session.scalars(select(outbox.c.type).order_by(outbox.c.seq))).all())


async def events_of(app: FastAPI, type_: str) -> list[dict[str, Any]]:
    async with committed(app) as session:
        rows = await session.execute(
            select(outbox.c.data).where(outbox.c.type == type_).order_by(outbox.c.seq)
        )
        return [r[0] for r in rows]


def flanders_calendar(**overrides: Any) -> dict[str, Any]:
    return {
        "code": f"flanders-{next(_serial)}",
        "name": {"nl": "Vlaanderen", "en": "Flanders"},
        "time_zone": "Europe/Brussels",
        "weekly_hours": dict.fromkeys(
            ("monday", "tuesday", "wednesday", "thursday", "friday"), OFFICE
        ),
        "holidays": {"country": "BE", "subdivision": "Flemish", "categories": ["public"]},
        "yearly_closing_days": [{"month": 7, "day": 11, "reason": "Day of the Flemish Community"}],
    } | overrides


def norway_calendar(**overrides: Any) -> dict[str, Any]:
    return {
        "code": f"norway-{next(_serial)}",
        "name": {"nb": "Norge", "en": "Norway"},
        "time_zone": "Europe/Oslo",
        "weekly_hours": {
            day: [{"start": "08:00", "end": "16:00"}]
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        },
        "holidays": {"country": "NO", "categories": ["public"]},
    } | overrides


LEVELS = [
    {"priority": "critical", "first_response_minutes": 60, "resolution_minutes": 480},
    {"priority": "high", "first_response_minutes": 120, "resolution_minutes": 960},
    {"priority": "normal", "first_response_minutes": 240, "resolution_minutes": 2400},
    {"priority": "low", "first_response_minutes": 480, "resolution_minutes": 4800},
]


def service_body(calendar_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "code": f"library-system-{next(_serial)}",
        "kind": "library_system",
        "name": {"en": "Library system", "nl": "Bibliotheeksysteem"},
        "calendar_id": calendar_id,
        "categories": ["e-books", "renewals", "activities", "login"],
        "channels": [
            {"channel": "portal", "address": "https://help.example.org"},
            {
                "channel": "phone",
                "address": "+32 3 000 00 00",
                "hours": {"monday": [{"start": "10:00", "end": "12:00"}]},
            },
        ],
        "levels": LEVELS,
    } | overrides


async def create_calendar(client: Any, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body = norway_calendar(**overrides)
    answer = await client.post("/v1/business-calendars", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def create_service(
    client: Any, headers: dict[str, str], calendar_id: str, **overrides: Any
) -> dict[str, Any]:
    answer = await client.post(
        "/v1/services", json=service_body(calendar_id, **overrides), headers=headers
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def desk(client: Any, issuer: Any, **calendar: Any) -> dict[str, Any]:
    """A calendar and a service on it, registered by an agent; the service's body."""
    agent = issuer.headers("agent")
    created = await create_calendar(client, agent, **calendar)
    return await create_service(client, agent, created["id"])


def ticket_body(service_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "service_id": service_id,
        "category": "e-books",
        "priority": "normal",
        "subject": "E-book loans fail",
        "description": "Patrons get an error when borrowing e-books since this morning.",
    } | overrides


async def raise_ticket(
    client: Any, headers: dict[str, str], service_id: str, **overrides: Any
) -> dict[str, Any]:
    answer = await client.post(
        "/v1/tickets", json=ticket_body(service_id, **overrides), headers=headers
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def if_match(ticket: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{ticket["version"]}"'}
