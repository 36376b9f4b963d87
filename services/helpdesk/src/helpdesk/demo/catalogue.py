"""The demo catalogue: three regional calendars and four supported services with their promises."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import helpdesk.demo.ids as ids
from chassis.auth import Principal
from helpdesk.catalogue.schemas import CalendarIn, ServiceIn
from helpdesk.catalogue.service import create_calendar, create_service

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def _week(*spans: tuple[str, str]) -> dict[str, list[dict[str, str]]]:
    return {day: [{"start": s, "end": e} for s, e in spans] for day in WEEKDAYS}


CALENDARS: dict[uuid.UUID, dict[str, Any]] = {
    ids.NORWAY: {
        "code": "norway",
        "name": {"nb": "Norge", "en": "Norway"},
        "time_zone": "Europe/Oslo",
        "weekly_hours": _week(("08:00", "16:00")),
        "holidays": {"country": "NO", "categories": ["public"]},
        "closing_days": [{"date": "2026-12-24", "reason": "Christmas Eve"}],
    },
    ids.FLANDERS: {
        "code": "flanders",
        "name": {"nl": "Vlaanderen", "en": "Flanders"},
        "time_zone": "Europe/Brussels",
        "weekly_hours": _week(("09:00", "12:00"), ("13:00", "17:00")),
        "holidays": {"country": "BE", "subdivision": "Flemish", "categories": ["public"]},
        "yearly_closing_days": [{"month": 7, "day": 11, "reason": "Day of the Flemish Community"}],
    },
    ids.NETHERLANDS: {
        "code": "netherlands",
        "name": {"nl": "Nederland", "en": "The Netherlands"},
        "time_zone": "Europe/Amsterdam",
        "weekly_hours": _week(("08:30", "17:00")),
        # Liberation Day closes the desk every year (the library's "optional" category).
        "holidays": {"country": "NL", "categories": ["public", "optional"]},
    },
}


def _levels(scale: float) -> list[dict[str, Any]]:
    base = {"critical": (60, 480), "high": (120, 960), "normal": (240, 2400), "low": (480, 4800)}
    return [
        {
            "priority": priority,
            "first_response_minutes": int(first * scale),
            "resolution_minutes": int(resolution * scale),
        }
        for priority, (first, resolution) in base.items()
    ]


SERVICES: dict[uuid.UUID, dict[str, Any]] = {
    ids.LIBRARY_SYSTEM: {
        "code": "library-system",
        "kind": "library_system",
        "name": {"nl": "Bibliotheeksysteem", "en": "Library system"},
        "description": {"en": "Circulation, patron accounts, holds and self-service machines."},
        "calendar_id": ids.FLANDERS,
        "categories": [
            "patron-accounts",
            "loans",
            "holds",
            "renewals",
            "self-service",
            "interlibrary-loan",
            "statistics",
            "login",
            "library-system",
            "privacy",
        ],
        "channels": [
            {"channel": "portal", "address": "https://helpdesk.example.be"},
            {"channel": "email", "address": "helpdesk@example.be"},
            {
                "channel": "phone",
                "address": "+32 3 000 00 00",
                "hours": _week(("09:00", "12:00"), ("13:30", "16:00")),
            },
        ],
        "levels": _levels(1.0),
    },
    ids.WEBSITES: {
        "code": "websites",
        "kind": "website",
        "name": {"nl": "Websites", "en": "Websites"},
        "description": {"en": "Library websites, activity calendars and their accessibility."},
        "calendar_id": ids.NETHERLANDS,
        "categories": ["websites", "events", "activities", "accessibility", "language-cafe"],
        "channels": [
            {"channel": "portal", "address": "https://helpdesk.example.nl"},
            {"channel": "phone", "address": "+31 592 00 00 00", "hours": None},
        ],
        "levels": _levels(1.5),
    },
    ids.DIGITAL_COLLECTIONS: {
        "code": "digital-collections",
        "kind": "digital_collection",
        "name": {"nb": "Digitale samlinger", "en": "Digital collections"},
        "description": {"en": "E-books, film, newspapers and the training platform."},
        "calendar_id": ids.NORWAY,
        "categories": [
            "e-books",
            "film-services",
            "digital-newspapers",
            "digital-skills",
            "training-platform",
        ],
        "channels": [
            {"channel": "portal", "address": "https://helpdesk.example.no"},
            {"channel": "phone", "address": "+47 22 00 00 00", "hours": _week(("09:00", "15:00"))},
        ],
        "levels": _levels(1.0),
    },
    ids.AUDIOBOOKS: {
        "code": "nordlys-lydboker",
        "kind": "licensed_product",
        "product_id": ids.AUDIOBOOKS_PRODUCT,
        "name": {"nb": "Nordlys lydbøker", "en": "Nordlys audiobooks"},
        "calendar_id": ids.NORWAY,
        "categories": ["e-books", "login"],
        "channels": [{"channel": "email", "address": "lydbok@example.no"}],
        "levels": _levels(2.0),
    },
}


async def load_catalogue(session: AsyncSession, *, principal: Principal) -> None:
    for calendar_id, body in CALENDARS.items():
        await create_calendar(
            session,
            principal=principal,
            body=CalendarIn.model_validate(body),
            request_id=None,
            calendar_id=calendar_id,
        )
    for service_id, body in SERVICES.items():
        await create_service(
            session,
            principal=principal,
            body=ServiceIn.model_validate(body),
            request_id=None,
            service_id=service_id,
        )
