"""SLA clocks: due dates explained, pauses, and escalation that happens once across processes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from helpdesk_factories import committed, desk, events_of, ticket_body

from chassis.auth import Principal
from chassis.db import Database
from chassis.jobs import JobRunner
from chassis.runtime import app_runtime
from helpdesk.app import SPEC
from helpdesk.settings import HelpdeskSettings
from helpdesk.sla.escalation import sla_escalation_job
from helpdesk.tickets import workflow
from helpdesk.tickets.closing import close_expired
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import TicketIn
from helpdesk.tickets.service import create_ticket

OSLO = ZoneInfo("Europe/Oslo")
STAFF = Principal(subject="kari@lib", roles=frozenset({"staff"}), isil="NO-2030000")
AGENT = Principal(subject="agent@desk", roles=frozenset({"agent"}))


async def _raise_at(app, service_id: str, at: datetime, priority: str = "normal") -> uuid.UUID:
    async with committed(app) as session:
        body = TicketIn(
            service_id=uuid.UUID(service_id),
            category="e-books",
            priority=priority,
            subject="Loans fail",
            description="Since this morning.",
        )
        ticket = await create_ticket(session, principal=STAFF, body=body, request_id=None, now=at)
        return ticket.id


async def test_a_friday_afternoon_ticket_before_whit_monday_is_explained(helpdesk, issuer):
    client, app = helpdesk
    service = await desk(client, issuer)  # Norway, 08:00-16:00 on weekdays
    friday = datetime(2026, 5, 22, 14, tzinfo=OSLO)
    ticket_id = await _raise_at(app, service["id"], friday)
    answer = await client.get(
        f"/v1/tickets/{ticket_id}/sla", headers=issuer.headers("staff", isil="NO-2030000")
    )
    assert answer.status_code == 200, answer.text
    first = answer.json()["clocks"][0]
    assert first["clock"] == "first_response"
    assert first["target_minutes"] == 240
    # Friday 14-16 counts 2 h; the weekend, Whit Sunday and Whit Monday are skipped.
    assert first["due_at"] == "2026-05-26T08:00:00Z"
    reasons = [(i["counted"], i["reason"], i["minutes"]) for i in first["intervals"]]
    assert reasons[0] == (True, "business hours", 120.0)
    assert (False, "public holiday: Pentecost Monday", 1440.0) in reasons
    assert reasons[-1] == (True, "business hours", 120.0)
    assert first["intervals"][-1]["local_end"] == "2026-05-26T10:00:00+02:00"
    assert first["status"] == "breached"  # nobody answered it, and that was long ago
    other_library = issuer.headers("staff", isil="NO-9999999")
    assert (
        await client.get(f"/v1/tickets/{ticket_id}/sla", headers=other_library)
    ).status_code == 404


async def test_pending_pauses_the_clock_by_exactly_the_time_paused(helpdesk, issuer):
    client, app = helpdesk
    service = await desk(client, issuer)
    monday = datetime(2026, 11, 30, 9, tzinfo=OSLO)
    ticket_id = await _raise_at(app, service["id"], monday)
    async with committed(app) as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        unpaused_due = ticket.resolution_due_at
        await workflow.move_ticket(
            session,
            principal=AGENT,
            ticket=ticket,
            to="pending",
            reopen_days=7,
            request_id=None,
            now=monday + timedelta(hours=1),
        )
        assert ticket.resolution_due_at is None
        await workflow.move_ticket(
            session,
            principal=STAFF,
            ticket=ticket,
            to="open",
            reopen_days=7,
            request_id=None,
            now=monday + timedelta(days=1, hours=1),
        )
        # Paused Monday 10:00 to Tuesday 10:00: 8 business hours (Mon 10-16, Tue 08-10).
        assert unpaused_due is not None
        assert ticket.resolution_due_at is not None
        assert ticket.resolution_due_at - unpaused_due == timedelta(days=1)
    sla = (await client.get(f"/v1/tickets/{ticket_id}/sla", headers=issuer.headers("agent"))).json()
    resolution = sla["clocks"][1]
    assert any(i["reason"] == "paused: pending on the library" for i in resolution["intervals"])


async def test_escalation_happens_once_with_several_processes(service_client, issuer):
    jobs_off = {"jobs": {"enabled": False}}
    async with service_client(SPEC, HelpdeskSettings, **jobs_off) as (client, app):
        service = await desk(client, issuer)
        long_ago = datetime(2026, 1, 5, 9, tzinfo=OSLO)
        ids = [await _raise_at(app, service["id"], long_ago + timedelta(hours=n)) for n in range(3)]
        settings = app_runtime(app).settings
        databases = [app_runtime(app).db, Database(settings), Database(settings)]
        runners = [JobRunner(db, [sla_escalation_job], settings) for db in databases]
        now = datetime(2026, 3, 2, 12, tzinfo=UTC)
        try:
            await runners[0].ensure_rows(now)
            await asyncio.gather(*(r.run_due(now) for r in runners))
            await asyncio.gather(*(r.run_due(now + timedelta(minutes=5)) for r in runners))
        finally:
            for db in databases[1:]:
                await db.dispose()
        breaches = await events_of(app, "sla.breached")
        assert len(breaches) == 2 * len(ids)
        assert {b["clock"] for b in breaches} == {"first_response", "resolution"}
        assert all(b["escalated"] for b in breaches)
        async with committed(app) as session:
            for ticket_id in ids:
                ticket = await session.get(Ticket, ticket_id)
                assert ticket is not None
                assert ticket.first_response_breached
                assert ticket.resolution_breached
                assert "sla-breached" in ticket.tags


async def test_resolved_tickets_close_by_themselves_after_the_reopen_window(helpdesk, issuer):
    client, app = helpdesk
    service = await desk(client, issuer)
    raised = datetime(2026, 11, 2, 9, tzinfo=OSLO)
    ids = [await _raise_at(app, service["id"], raised) for _ in range(2)]
    async with committed(app) as session:
        for ticket_id, days_ago in zip(ids, (8, 3), strict=True):
            ticket = await session.get(Ticket, ticket_id)
            assert ticket is not None
            await workflow.move_ticket(
                session,
                principal=AGENT,
                ticket=ticket,
                to="resolved",
                reopen_days=7,
                request_id=None,
                now=datetime(2026, 11, 20, 12, tzinfo=UTC) - timedelta(days=days_ago),
            )
        closed = await close_expired(
            session, now=datetime(2026, 11, 20, 12, tzinfo=UTC), window_days=7
        )
        assert closed == 1
        states = [(await session.get(Ticket, i)).state for i in ids]  # type: ignore[union-attr]
    assert states == ["closed", "resolved"]
    assert len(await events_of(app, "ticket.closed")) == 1
    assert "close_resolved_tickets" in {job.name for job in SPEC.jobs}


def _friday_before_a_holiday_monday(today: date) -> date:
    """The latest working Friday in the past year whose Monday is a Norwegian public holiday
    (there is always one: Whit Monday)."""
    norway = holidays.country_holidays("NO", years=range(today.year - 1, today.year + 1))
    day = today - timedelta(days=3)
    while not (day.weekday() == 4 and day not in norway and day + timedelta(days=3) in norway):
        day -= timedelta(days=1)
    return day


async def test_an_agent_records_a_request_received_on_a_friday_afternoon_before_a_holiday(
    helpdesk, issuer
):
    """An e-mail that reached the desk at 15:30 on the Friday before a holiday Monday, recorded
    afterwards: the clocks start at 15:30 that Friday, as the explain view shows."""
    client, _app = helpdesk
    service = await desk(client, issuer)  # Norway, 08:00-16:00 on weekdays
    friday = _friday_before_a_holiday_monday(datetime.now(OSLO).date())
    received = datetime.combine(friday, time(15, 30), tzinfo=OSLO)
    agent = issuer.headers("agent", sub="agent@desk")
    body = ticket_body(
        service["id"], library_isil="NO-2030000", channel="email", received_at=received.isoformat()
    )
    created = await client.post("/v1/tickets", json=body, headers=agent)
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert datetime.fromisoformat(ticket["created_at"]) == received
    sla = await client.get(f"/v1/tickets/{ticket['id']}/sla", headers=agent)
    first = sla.json()["clocks"][0]
    # 30 minutes on Friday; Saturday, Sunday and the holiday Monday skipped; 210 on Tuesday.
    tuesday = friday + timedelta(days=4)
    assert datetime.fromisoformat(first["due_at"]) == datetime.combine(
        tuesday, time(11, 30), tzinfo=OSLO
    )
    reasons = [(i["counted"], i["reason"], i["minutes"]) for i in first["intervals"]]
    assert reasons[0] == (True, "business hours", 30.0)
    assert any(
        not counted and reason.startswith("public holiday") for counted, reason, _ in reasons
    )
    assert reasons[-1] == (True, "business hours", 210.0)


async def test_only_an_agent_says_when_a_request_was_received_and_only_in_the_past_year(
    helpdesk, issuer
):
    client, _app = helpdesk
    service = await desk(client, issuer)
    now = datetime.now(UTC)
    staff = issuer.headers("staff", isil="NO-2030000")
    by_staff = await client.post(
        "/v1/tickets",
        json=ticket_body(service["id"], received_at=(now - timedelta(days=1)).isoformat()),
        headers=staff,
    )
    assert by_staff.status_code == 403, by_staff.text
    assert by_staff.json()["errors"][0]["location"] == "body.received_at"
    agent = issuer.headers("agent")
    for received in (
        (now + timedelta(hours=1)).isoformat(),  # in the future
        (now - timedelta(days=400)).isoformat(),  # more than a year ago
        "2026-11-27T15:30:00",  # no time zone: which 15:30?
    ):
        answer = await client.post(
            "/v1/tickets",
            json=ticket_body(service["id"], library_isil="NO-2030000", received_at=received),
            headers=agent,
        )
        assert answer.status_code == 422, (received, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert "body.received_at" in {e["location"] for e in answer.json()["errors"]}
    listed = await client.get("/v1/tickets", headers=agent)
    assert listed.json()["items"] == []
