"""The demo calendar: sessions next month in Oslo, Gent (Europe/Brussels) and Assen
(Europe/Amsterdam) of the judged set's courses, a starter and an in-depth track, two of them full
with a waiting list, last week's webinar with its recording and Norwegian subtitles, and a
starter path for new staff."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from chassis.types import utcnow
from search import SearchIndex
from training.content.models import Course
from training.demo.corpus import LOADER
from training.paths.schemas import PathIn
from training.paths.service import create_path
from training.recordings.schemas import RecordingIn
from training.recordings.service import add_recording, put_subtitles
from training.registrations.service import register
from training.sessions.models import TrainingSession
from training.sessions.schemas import SessionIn
from training.sessions.service import create_session
from training.zones import in_zone

# Fixed ids, so the demo loads once and others can name its sessions.
OSLO_STARTER = uuid.UUID("01937a00-0000-7000-8000-000000000001")
GENT_HYBRID = uuid.UUID("01937a00-0000-7000-8000-000000000002")
ASSEN_IN_DEPTH = uuid.UUID("01937a00-0000-7000-8000-000000000003")
ONLINE_IN_DEPTH = uuid.UUID("01937a00-0000-7000-8000-000000000004")
PAST_WEBINAR = uuid.UUID("01937a00-0000-7000-8000-000000000005")
RECORDING = uuid.UUID("01937a00-0000-7000-8000-000000000006")

SUBTITLES_NB = """WEBVTT

00:00:00.500 --> 00:00:04.000
Velkommen til webinaret om Quria for nye ansatte.

00:00:04.500 --> 00:00:09.000
Vi ser på utlån, innlevering og reservasjoner i skranken.

00:00:09.500 --> 00:00:14.000
Til slutt viser vi hvordan du fornyer et lån for en låner.
"""


def _next_month(day: int, hour: int, minute: int = 0) -> str:
    today = date.today()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime(first.year, first.month, day, hour, minute).isoformat(timespec="minutes")


def _sessions() -> list[tuple[uuid.UUID, str, dict[str, Any], int]]:
    """(id, course slug, the session's body, how many demo staff register)."""
    return [
        (
            OSLO_STARTER,
            "nb-001",
            {
                "starts_at": _next_month(9, 10),
                "ends_at": _next_month(9, 12),
                "time_zone": "Europe/Oslo",
                "format": "webinar",
                "online_url": "https://meet.example.org/bibliofil-start",
                "capacity": {"online": 10},
                "language": "nb",
                "trainer_name": "Kari Nordmann",
            },
            12,
        ),
        (
            GENT_HYBRID,
            "nl-001",
            {
                "starts_at": _next_month(14, 9, 30),
                "ends_at": _next_month(14, 12),
                "time_zone": "Europe/Brussels",
                "format": "hybrid",
                "venue": {
                    "name": "De Krook",
                    "address": "Miriam Makebaplein 1",
                    "city": "Gent",
                    "country": "BE",
                },
                "online_url": "https://meet.example.org/wise-gent",
                "capacity": {"in_person": 12, "online": 40},
                "language": "nl",
                "trainer_name": "Els Peeters",
            },
            5,
        ),
        (
            ASSEN_IN_DEPTH,
            "nl-024",
            {
                "starts_at": _next_month(16, 13),
                "ends_at": _next_month(16, 16),
                "time_zone": "Europe/Amsterdam",
                "format": "classroom",
                "venue": {
                    "name": "Bibliotheek Assen",
                    "address": "Collardslaan 2",
                    "city": "Assen",
                    "country": "NL",
                },
                "capacity": {"in_person": 6},
                "language": "nl",
                "trainer_name": "Jan de Vries",
            },
            9,
        ),
        (
            ONLINE_IN_DEPTH,
            "en-017",
            {
                "starts_at": _next_month(21, 14),
                "ends_at": _next_month(21, 15, 30),
                "time_zone": "Europe/Oslo",
                "format": "webinar",
                "online_url": "https://meet.example.org/privacy-deep-dive",
                "capacity": {"online": 50},
                "language": "en",
                "trainer_name": "Ingrid Berg",
            },
            3,
        ),
    ]


async def _course_id(session: AsyncSession, slug: str) -> uuid.UUID:
    course_id = await session.scalar(select(Course.id).where(Course.slug == slug))
    if course_id is None:
        raise LookupError(f"the demo calendar needs the course {slug} (load the corpus first)")
    return course_id


async def _past_webinar(session: AsyncSession, index: SearchIndex) -> None:
    now = utcnow()
    start = in_zone(now - timedelta(days=7), "Europe/Oslo").replace(
        hour=13, minute=0, second=0, microsecond=0, tzinfo=None
    )
    ts, _ = await create_session(
        session,
        principal=LOADER,
        body=SessionIn.model_validate(
            {
                "course_id": await _course_id(session, "nb-003"),
                "starts_at": start.isoformat(timespec="minutes"),
                "ends_at": (start + timedelta(hours=1)).isoformat(timespec="minutes"),
                "registration_opens_at": (start - timedelta(days=14)).isoformat(timespec="minutes"),
                "time_zone": "Europe/Oslo",
                "format": "webinar",
                "online_url": "https://meet.example.org/bibliofil-webinar",
                "capacity": {"online": 100},
                "language": "nb",
                "trainer_name": "Kari Nordmann",
            }
        ),
        request_id=None,
        session_id=PAST_WEBINAR,
    )
    recording = await add_recording(
        session,
        principal=LOADER,
        body=RecordingIn(session_id=ts.id, url="https://video.example.org/bibliofil-webinar.mp4"),
        request_id=None,
        recording_id=RECORDING,
    )
    await put_subtitles(
        session,
        principal=LOADER,
        recording=recording,
        lang="nb",
        vtt=SUBTITLES_NB,
        index=index,
        request_id=None,
    )


async def load_calendar(session: AsyncSession, *, index: SearchIndex) -> dict[str, int]:
    """Create the demo sessions, registrations and recording unless they exist."""
    if await session.get(TrainingSession, OSLO_STARTER) is not None:
        return {"sessions": 0, "registrations": 0, "paths": 0}
    registrations = 0
    for session_id, course_slug, body, people in _sessions():
        ts, _ = await create_session(
            session,
            principal=LOADER,
            body=SessionIn.model_validate(
                body | {"course_id": await _course_id(session, course_slug)}
            ),
            request_id=None,
            session_id=session_id,
        )
        modes = [m for m in ("in_person", "online") if m in body["capacity"]]
        for n in range(people):
            staff = Principal(
                subject=f"demo-staff-{n + 1:02d}", roles=frozenset({"staff"}), isil="NO-0301000"
            )
            await register(
                session, principal=staff, ts=ts, mode=modes[n % len(modes)], request_id=None
            )
            registrations += 1
    await _past_webinar(session, index)
    await create_path(
        session,
        principal=LOADER,
        body=PathIn.model_validate(
            {
                "slug": "startvei-nye-ansatte",
                "title": "Startvei for nye ansatte",
                "description": "Tre steg for din første måned i skranken.",
                "lang": "nb",
                "steps": [
                    {"kind": "course", "id": await _course_id(session, "nb-001")},
                    {"kind": "session", "id": OSLO_STARTER},
                    {"kind": "course", "id": await _course_id(session, "nb-003")},
                ],
                "status": "published",
            }
        ),
        request_id=None,
    )
    return {"sessions": 5, "registrations": registrations, "paths": 1}
