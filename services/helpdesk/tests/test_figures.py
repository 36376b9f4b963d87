"""Figures: volumes with calls, medians and p90 in business minutes, compliance, backlog, CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from helpdesk_factories import committed, desk

from chassis.auth import Principal
from helpdesk.calls.schemas import CallIn
from helpdesk.calls.service import log_call
from helpdesk.figures.measures import median, percentile
from helpdesk.figures.service import quarter_of
from helpdesk.tickets import workflow
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import CommentIn, TicketIn
from helpdesk.tickets.service import create_ticket
from helpdesk.timed_cache import TimedCache

OSLO = ZoneInfo("Europe/Oslo")
STAFF = Principal(subject="kari@lib", roles=frozenset({"staff"}), isil="NO-2030000")
AGENT = Principal(subject="agent@desk", roles=frozenset({"agent"}))
MONDAY = datetime(2026, 8, 3, 9, tzinfo=OSLO)


def test_percentiles_are_nearest_rank_and_medians_average_the_middle():
    assert median([]) is None
    assert median([3, 1, 2]) == 2
    assert median([1, 2, 3, 10]) == 2.5
    assert percentile([60, 960], 0.9) == 960
    assert percentile(list(range(1, 101)), 0.9) == 90
    assert quarter_of(datetime(2026, 12, 2).date())[2] == "2026-Q3"
    assert quarter_of(datetime(2026, 2, 1).date())[2] == "2025-Q4"


async def _ticket(session, service_id: str, *, replied_after: timedelta, resolved_after=None):
    body = TicketIn(
        service_id=uuid.UUID(service_id), category="e-books", subject="s", description="d"
    )
    ticket = await create_ticket(session, principal=STAFF, body=body, request_id=None, now=MONDAY)
    await workflow.add_comment(
        session,
        reopen_days=7,
        principal=AGENT,
        ticket=ticket,
        body=CommentIn(body="On it"),
        request_id=None,
        now=MONDAY + replied_after,
    )
    if resolved_after is not None:
        await workflow.move_ticket(
            session,
            principal=AGENT,
            ticket=ticket,
            to="resolved",
            reopen_days=7,
            request_id=None,
            now=MONDAY + resolved_after,
        )
    return ticket


async def test_figures_count_tickets_and_calls_in_business_minutes(helpdesk, issuer):
    client, app = helpdesk
    service = await desk(client, issuer)  # Norway, 08:00-16:00
    async with committed(app) as session:
        quick = await _ticket(
            session,
            service["id"],
            replied_after=timedelta(hours=1),
            resolved_after=timedelta(days=1),
        )
        await _ticket(session, service["id"], replied_after=timedelta(days=2))
        for minutes in (3, 5):
            await log_call(
                session,
                principal=AGENT,
                body=CallIn(
                    library_isil="NO-2030000",
                    service_id=uuid.UUID(service["id"]),
                    topic="renewals",
                    duration_seconds=minutes * 60,
                    outcome="solved",
                    occurred_at=MONDAY + timedelta(hours=2),
                ),
                request_id=None,
            )
        stored = await session.get(Ticket, quick.id)
        assert stored is not None
        assert (stored.first_response_seconds, stored.resolution_seconds) == (3600, 8 * 3600)
    analyst = issuer.headers("analyst")
    period = {"since": "2026-08-01", "until": "2026-09-01"}
    volumes = await client.get("/v1/reports/volumes", params=period, headers=analyst)
    assert volumes.status_code == 200, volumes.text
    assert volumes.json()["items"] == [
        {"key": service["code"], "tickets": 2, "calls": 2, "call_minutes": 8.0}
    ]
    by_channel = await client.get(
        "/v1/reports/volumes", params=period | {"by": "channel"}, headers=analyst
    )
    assert {r["key"]: (r["tickets"], r["calls"]) for r in by_channel.json()["items"]} == {
        "portal": (2, 0),
        "phone": (0, 2),
    }
    # The calls were logged today about a Monday in August: they are August's, as the window says.
    by_month = await client.get(
        "/v1/reports/volumes", params=period | {"by": "month"}, headers=analyst
    )
    assert [(r["key"], r["tickets"], r["calls"]) for r in by_month.json()["items"]] == [
        ("2026-08", 2, 2)
    ]
    performance = (
        await client.get("/v1/reports/performance", params=period, headers=analyst)
    ).json()["items"][0]
    # First responses after 60 and 960 business minutes (Mon 9-16, Tue 8-16, Wed 8-9).
    assert performance["first_response_median_minutes"] == 510.0
    assert performance["first_response_p90_minutes"] == 960.0
    assert performance["first_response_compliance_percent"] == 50.0
    assert (performance["resolution_measured"], performance["resolution_median_minutes"]) == (
        1,
        480.0,
    )
    backlog = (await client.get("/v1/reports/backlog", headers=analyst)).json()["items"][0]
    assert (backlog["open"], backlog["resolved"], backlog["overdue"]) == (1, 1, 1)
    as_csv = await client.get(
        "/v1/reports/performance", params=period | {"format": "csv"}, headers=analyst
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert table[0]["first_response_p90_minutes"] == "960.0"
    bad = await client.get(
        "/v1/reports/volumes",
        params={"since": "2026-09-01", "until": "2026-08-01"},
        headers=analyst,
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    wrong_group = await client.get("/v1/reports/volumes", params={"by": "mood"}, headers=analyst)
    assert wrong_group.status_code == 422
    staff = issuer.headers("staff", isil="NO-2030000")
    assert (await client.get("/v1/reports/volumes", headers=staff)).status_code == 403
    published = (await client.get("/v1/service-catalogue")).json()["items"][0]["promises"]
    normal = next(p for p in published if p["priority"] == "normal")
    assert normal["last_quarter"]["period"] == quarter_of(datetime.now().date())[2]


async def test_the_timed_cache_recomputes_only_when_stale():
    now = [0.0]
    cache = TimedCache(300, clock=lambda: now[0])
    calls = []

    async def compute():
        calls.append(now[0])
        return len(calls)

    assert await cache.get("q", compute) == 1
    now[0] = 299
    assert await cache.get("q", compute) == 1
    now[0] = 301
    assert await cache.get("q", compute) == 2
    assert await cache.get("other", compute) == 3
