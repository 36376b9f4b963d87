"""Training's and helpdesk's feeds harvested from the real services over HTTP: registrations,
attendances, tickets and calls become monthly figures per library; a cancelled registration and a
corrected attendance change the figure instead of adding to it; a replayed feed and two harvests
at once count nothing twice; a library kpi does not know yet keeps its figures until it comes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn
from kpi_factories import ANALYST, add_hierarchy, committed, row_count
from sqlalchemy import select, update

from chassis.jobs import JobRunner
from chassis.runtime import app_runtime
from chassis.types import utcnow
from helpdesk.app import SPEC as HELPDESK_SPEC
from helpdesk.settings import HelpdeskSettings
from kpi.harvest.cli import harvest
from kpi.harvest.counts import write_figures
from kpi.harvest.jobs import HARVEST_HELPDESK, HARVEST_TRAINING
from kpi.harvest.models import FeedCursor, HarvestedFact
from kpi.observations.models import Observation, ObservationRevision
from kpi.organisations.models import Organisation
from kpi.organisations.schemas import OrganisationIn
from kpi.organisations.service import create_organisation
from kpi.settings import KpiSettings
from training.app import SPEC as TRAINING_SPEC
from training.settings import TrainingSettings

OSLO = "NO-2030000"
BODO = "NO-2180400"
LATER = "NO-2180401"


@asynccontextmanager
async def _served(app: Any) -> AsyncIterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        for _ in range(3):
            await asyncio.sleep(0)


def _oslo(at: Any) -> str:
    return at.astimezone(ZoneInfo("Europe/Oslo")).replace(tzinfo=None).isoformat(timespec="minutes")


async def _created(client: httpx.AsyncClient, path: str, body: Any, headers: Any) -> Any:
    answer = await client.post(path, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _session(client: httpx.AsyncClient, trainer: Any, *, running: bool, n: int) -> str:
    topic = await _created(client, "/v1/topics", {"slug": f"t-{n}", "name": f"T {n}"}, trainer)
    course = await _created(
        client,
        "/v1/courses",
        {
            "slug": f"c-{n}",
            "topic_id": topic["id"],
            "title": "Bibliofil for nybegynnere",
            "lang": "nb",
            "summary": "Grunnkurs.",
            "level": "starter",
            "format": "self-paced",
            "languages": ["nb"],
            "tags": [],
            "status": "published",
        },
        trainer,
    )
    now = utcnow()
    start = now - timedelta(hours=1) if running else now + timedelta(days=20)
    session = await _created(
        client,
        "/v1/sessions",
        {
            "course_id": course["id"],
            "starts_at": _oslo(start),
            "ends_at": _oslo(start + timedelta(hours=3)),
            "registration_opens_at": _oslo(now - timedelta(days=1)),
            "registration_closes_at": _oslo(now + timedelta(hours=1)),
            "time_zone": "Europe/Oslo",
            "format": "webinar",
            "online_url": "https://meet.example.org/bibliofil",
            "capacity": {"online": 10},
            "language": "nb",
            "trainer_name": "Kari Trener",
        },
        trainer,
    )
    return str(session["id"])


async def _training_activity(client: httpx.AsyncClient, issuer: Any) -> None:
    """Oslo: 2 registrations standing (a third cancelled), 1 attendance (another corrected to
    absent); Bodø: 1 registration, 1 attendance; a library kpi does not know: 1 registration."""
    trainer = issuer.headers("trainer")
    running = await _session(client, trainer, running=True, n=1)
    upcoming = await _session(client, trainer, running=False, n=2)

    def staff(n: int, isil: str) -> dict[str, str]:
        return issuer.headers("staff", sub=f"staff-{n}", isil=isil)

    seats = [
        await _created(client, f"/v1/sessions/{running}/registrations", {}, staff(n, isil))
        for n, isil in ((1, OSLO), (2, OSLO), (3, BODO), (4, LATER))
    ]
    cancelled = await _created(client, f"/v1/sessions/{upcoming}/registrations", {}, staff(5, OSLO))
    gone = await client.post(
        f"/v1/registrations/{cancelled['id']}/cancel", headers=staff(5, OSLO) | {"If-Match": '"1"'}
    )
    assert gone.status_code == 200, gone.text
    for seat, marks in ((seats[0], [True]), (seats[1], [True, False]), (seats[2], [True])):
        for version, attended in enumerate(marks, start=1):
            marked = await client.put(
                f"/v1/registrations/{seat['id']}/attendance",
                json={"attended": attended},
                headers=trainer | {"If-Match": f'"{version}"'},
            )
            assert marked.status_code == 200, marked.text


async def _helpdesk_activity(client: httpx.AsyncClient, issuer: Any) -> None:
    """Oslo: 2 tickets, 1 call; Bodø: 1 ticket, 2 calls."""
    agent = issuer.headers("agent", sub="agent@desk")
    calendar = await _created(
        client,
        "/v1/business-calendars",
        {
            "code": "norway-kpi",
            "name": {"nb": "Norge", "en": "Norway"},
            "time_zone": "Europe/Oslo",
            "weekly_hours": {
                day: [{"start": "08:00", "end": "16:00"}]
                for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
            },
            "holidays": {"country": "NO", "categories": ["public"]},
        },
        agent,
    )
    service = await _created(
        client,
        "/v1/services",
        {
            "code": "library-system-kpi",
            "kind": "library_system",
            "name": {"en": "Library system", "nb": "Biblioteksystem"},
            "calendar_id": calendar["id"],
            "categories": ["e-books", "login"],
            "channels": [{"channel": "portal", "address": "https://help.example.org"}],
            "levels": [
                {"priority": p, "first_response_minutes": 60, "resolution_minutes": 480}
                for p in ("critical", "high", "normal", "low")
            ],
        },
        agent,
    )
    for isil in (OSLO, OSLO, BODO):
        await _created(
            client,
            "/v1/tickets",
            {
                "service_id": service["id"],
                "category": "e-books",
                "priority": "normal",
                "subject": "E-book loans fail",
                "description": "Patrons get an error when borrowing e-books.",
            },
            issuer.headers("staff", isil=isil, sub=f"someone@{isil}"),
        )
    for isil in (OSLO, BODO, BODO):
        await _created(
            client,
            "/v1/calls",
            {
                "library_isil": isil,
                "caller": "els@lib",
                "service_id": service["id"],
                "topic": "login",
                "duration_seconds": 120,
                "outcome": "solved",
            },
            agent,
        )


async def _figures(app: Any) -> dict[tuple[str, str], float]:
    async with committed(app) as session:
        rows = await session.execute(
            select(Observation.indicator_code, Organisation.code, Observation.value).join(
                Organisation, Organisation.id == Observation.organisation_id
            )
        )
        return {(r.indicator_code, r.code): r.value for r in rows}


async def _run_until_done(runner: JobRunner) -> None:
    now = utcnow()
    for _ in range(50):
        if not await runner.run_due(now):
            return
    raise AssertionError("the feeds did not come to an end")


EXPECTED = {
    ("training_registrations", OSLO): 2.0,
    ("training_registrations", BODO): 1.0,
    ("training_participants", OSLO): 1.0,
    ("training_participants", BODO): 1.0,
    ("helpdesk_tickets", OSLO): 2.0,
    ("helpdesk_tickets", BODO): 1.0,
    ("helpdesk_calls", OSLO): 1.0,
    ("helpdesk_calls", BODO): 2.0,
}


async def test_training_and_helpdesk_feeds_become_figures_once(open_kpi, service_client, issuer):
    async with (
        service_client(TRAINING_SPEC, TrainingSettings) as (training, training_app),
        service_client(HELPDESK_SPEC, HelpdeskSettings) as (helpdesk, helpdesk_app),
        _served(training_app) as training_url,
        _served(helpdesk_app) as helpdesk_url,
    ):
        await _training_activity(training, issuer)
        await _helpdesk_activity(helpdesk, issuer)
        async with open_kpi(
            harvest={
                "training_url": training_url,
                "helpdesk_url": helpdesk_url,
                "token": issuer.token("operator"),
                # Several pages each.
                "page_size": 3,
            },
            jobs={"enabled": False},
        ) as (client, app):
            await add_hierarchy(app)
            runtime = app_runtime(app)
            runner = JobRunner(
                runtime.db, [HARVEST_TRAINING, HARVEST_HELPDESK], runtime.settings, runtime=runtime
            )
            await runner.ensure_rows()
            await _run_until_done(runner)
            month = utcnow().strftime("%Y-%m")
            assert await _figures(app) == EXPECTED
            listed = await client.get(
                "/v1/observations",
                params={"indicator": "helpdesk_calls", "organisation": BODO, "period": month},
                headers=issuer.headers("analyst"),
            )
            assert listed.status_code == 200, listed.text
            assert [(o["value"], o["source"]) for o in listed.json()["items"]] == [(2.0, "harvest")]
            cursors = {
                h["feed"]: h
                for h in (
                    await client.get("/v1/harvests", headers=issuer.headers("analyst"))
                ).json()["items"]
            }
            assert set(cursors) == {"training", "helpdesk"}
            revisions = await row_count(app, ObservationRevision)

            # The cursors put back to 0 (a restored backup), and two harvests at once: nothing
            # is counted twice, no figure changes, no revision is added.
            async with committed(app) as session:
                await session.execute(update(FeedCursor).values(after=0))
            settings = runtime.settings
            assert isinstance(settings, KpiSettings)
            await asyncio.gather(harvest(settings), harvest(settings))
            assert await _figures(app) == EXPECTED
            assert await row_count(app, ObservationRevision) == revisions

            # The library kpi did not know comes (the catalogue's harvest does this when the
            # directory brings it): its figure was kept for it.
            assert await row_count(app, HarvestedFact) == 14
            async with committed(app) as session:
                bodo = await session.scalar(
                    select(Organisation.id).where(Organisation.code == "1804")
                )
                await create_organisation(
                    session,
                    principal=ANALYST,
                    body=OrganisationIn(
                        level="library", code=LATER, name="Bodø filial", parent_id=bodo
                    ),
                    request_id=None,
                )
                await write_figures(session, isils=[LATER], now=utcnow())
            figures = await _figures(app)
            assert figures[("training_registrations", LATER)] == 1.0
            assert ("training_participants", LATER) not in figures


def test_a_call_or_ticket_recorded_later_counts_in_the_month_it_happened():
    import uuid
    from datetime import UTC, date, datetime

    from kpi.harvest.counts import helpdesk_facts
    from kpi.harvest.feed import FeedEvent

    logged = datetime(2026, 12, 3, 9, tzinfo=UTC)

    def event(type_: str, **data: Any) -> FeedEvent:
        return FeedEvent(
            seq=1,
            id=uuid.uuid4(),
            type=type_,
            subject=str(uuid.uuid4()),
            occurred_at=logged,
            data={"library_isil": OSLO, **data},
        )

    call = helpdesk_facts(event("call.logged", occurred_at="2026-08-03T10:00:00Z"))
    ticket = helpdesk_facts(event("ticket.created", raised_at="2026-05-22T13:30:00+00:00"))
    older = helpdesk_facts(event("call.logged"))  # recorded before calls said when they were
    assert [(f.indicator, f.month) for f in call + ticket + older] == [
        ("helpdesk_calls", date(2026, 8, 1)),
        ("helpdesk_tickets", date(2026, 5, 1)),
        ("helpdesk_calls", date(2026, 12, 1)),
    ]
