"""A few weeks of desk work, made up deterministically so the figures say something: tickets
raised by staff and from calls, answered, paused, resolved (a few late), rated; calls logged."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

import helpdesk.demo.ids as ids
from chassis.auth import Principal
from helpdesk.calls.schemas import CallIn, CallTicketIn
from helpdesk.calls.service import log_call
from helpdesk.catalogue.calendars import business_calendar
from helpdesk.catalogue.models import CalendarRow
from helpdesk.demo.catalogue import SERVICES
from helpdesk.figures.service import quarter_of
from helpdesk.hours.calendar import BusinessCalendar
from helpdesk.hours.clock import add
from helpdesk.satisfaction.schemas import RatingIn
from helpdesk.satisfaction.service import rate_ticket
from helpdesk.tickets import workflow
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.schemas import CommentIn, TicketIn
from helpdesk.tickets.service import create_ticket

WEEKS = 5
AGENTS = tuple(
    Principal(subject=name, roles=frozenset({"agent"})) for name in ("anna", "bram", "kari")
)
PRIORITIES = ("critical", "high", "normal", "low")
PRIORITY_WEIGHTS = (1, 4, 12, 4)
SUBJECTS = {
    "e-books": "E-book loans fail in the app",
    "renewals": "Renewals refused for a patron",
    "activities": "Activity not shown on the website",
    "login": "Staff cannot log in",
}


def staff(isil: str) -> Principal:
    return Principal(subject=f"staff@{isil.lower()}", roles=frozenset({"staff"}), isil=isil)


@dataclass
class Desk:
    """What the generator works with: its random source, calendars and the time it stops at."""

    rng: random.Random
    calendars: dict[uuid.UUID, BusinessCalendar]
    now: datetime
    tickets: int = 0
    calls: int = 0

    def service(self) -> uuid.UUID:
        return self.rng.choice(list(SERVICES))

    def calendar_of(self, service_id: uuid.UUID) -> BusinessCalendar:
        return self.calendars[SERVICES[service_id]["calendar_id"]]

    def moment(self, calendar: BusinessCalendar, day: date) -> datetime | None:
        """A business moment on `day` (None when the desk is closed that day)."""
        plan = calendar.plan(day)
        if not plan.open_spans:
            return None
        open_minutes = sum((e - s).total_seconds() for s, e in plan.open_spans) / 60
        return add(calendar, plan.begins, timedelta(minutes=self.rng.uniform(0, open_minutes - 1)))


async def _work_ticket(
    session: AsyncSession, desk: Desk, ticket: Ticket, calendar: BusinessCalendar
) -> None:
    """Answer, maybe pause, resolve and rate a ticket as far as `desk.now` allows."""
    rng = desk.rng
    agent = rng.choice(AGENTS)
    answered = add(
        calendar,
        ticket.created_at,
        timedelta(minutes=ticket.first_response_minutes * rng.uniform(0.1, 1.15)),
    )
    if answered is None or answered > desk.now:
        return
    reply = CommentIn(body="Thank you, we are looking into it.")
    await workflow.add_comment(
        session,
        reopen_days=7,
        principal=agent,
        ticket=ticket,
        body=reply,
        request_id=None,
        now=answered,
    )
    moment = answered
    if rng.random() < 0.25:
        await workflow.move_ticket(
            session,
            principal=agent,
            ticket=ticket,
            to="pending",
            reopen_days=7,
            request_id=None,
            now=moment,
        )
        moment = moment + timedelta(hours=rng.uniform(2, 40))
        if moment > desk.now:
            return
        await workflow.add_comment(
            session,
            reopen_days=7,
            principal=staff(ticket.library_isil) if not ticket.raised_by_agent else agent,
            ticket=ticket,
            body=CommentIn(body="Here is what you asked for."),
            request_id=None,
            now=moment,
        )
        if ticket.state == "pending":
            await workflow.move_ticket(
                session,
                principal=agent,
                ticket=ticket,
                to="open",
                reopen_days=7,
                request_id=None,
                now=moment,
            )
    remaining = ticket.resolution_minutes * rng.uniform(0.1, 1.2)
    resolved = add(calendar, moment, timedelta(minutes=remaining * rng.uniform(0.3, 1.0)))
    if resolved is None or resolved > desk.now:
        return
    await workflow.move_ticket(
        session,
        principal=agent,
        ticket=ticket,
        to="resolved",
        reopen_days=7,
        request_id=None,
        now=resolved,
    )
    requester = staff(ticket.library_isil)
    if not ticket.raised_by_agent and rng.random() < 0.6:
        ticket_principal = Principal(
            subject=ticket.requester, roles=requester.roles, isil=ticket.library_isil
        )
        rating = RatingIn(rating=rng.choices((2, 3, 4, 5), weights=(1, 2, 6, 8))[0])
        await rate_ticket(
            session, principal=ticket_principal, ticket=ticket, body=rating, request_id=None
        )


async def _raise(session: AsyncSession, desk: Desk, day: date) -> None:
    service_id = desk.service()
    calendar = desk.calendar_of(service_id)
    created = desk.moment(calendar, day)
    if created is None or created > desk.now:
        return
    isil = desk.rng.choice(ids.LIBRARIES[SERVICES[service_id]["calendar_id"]])
    category = desk.rng.choice(SERVICES[service_id]["categories"])
    body = TicketIn(
        service_id=service_id,
        category=category,
        priority=desk.rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0],
        subject=SUBJECTS.get(category, f"Question about {category.replace('-', ' ')}"),
        description="Reported by a colleague at the desk; details in the first reply.",
    )
    ticket = await create_ticket(
        session, principal=staff(isil), body=body, request_id=None, now=created
    )
    desk.tickets += 1
    await _work_ticket(session, desk, ticket, calendar)


async def _call(session: AsyncSession, desk: Desk, day: date) -> None:
    service_id = desk.service()
    calendar = desk.calendar_of(service_id)
    occurred = desk.moment(calendar, day)
    if occurred is None or occurred > desk.now:
        return
    rng = desk.rng
    isil = rng.choice(ids.LIBRARIES[SERVICES[service_id]["calendar_id"]])
    topic = rng.choice(SERVICES[service_id]["categories"])
    to_ticket = rng.random() < 0.15
    agent = rng.choice(AGENTS)
    call = await log_call(
        session,
        principal=agent,
        body=CallIn(
            library_isil=isil,
            caller=staff(isil).subject,
            service_id=service_id,
            topic=topic,
            duration_seconds=min(3600, int(rng.lognormvariate(5.3, 0.6))),
            outcome="ticket" if to_ticket else "solved",
            ticket=CallTicketIn(
                subject=f"Phone: {topic.replace('-', ' ')}", description="Taken on the phone."
            )
            if to_ticket
            else None,
            occurred_at=occurred,
        ),
        request_id=None,
        now=desk.now,
    )
    desk.calls += 1
    if call.ticket_id is not None:
        ticket = await session.get(Ticket, call.ticket_id)
        if ticket is not None:
            desk.tickets += 1
            await _work_ticket(session, desk, ticket, calendar)


async def load_history(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    calendars = {}
    for calendar_id in (ids.NORWAY, ids.FLANDERS, ids.NETHERLANDS):
        row = await session.get(CalendarRow, calendar_id)
        if row is not None:
            calendars[calendar_id] = business_calendar(row)
    # Made-up data, the same on every run: no secret depends on this generator.
    desk = Desk(rng=random.Random(12), calendars=calendars, now=now)  # noqa: S311
    # Five busy weeks, and a quieter backfill to the start of the last calendar quarter, so the
    # published promises show last quarter's results beside them.
    busy_from = now.date() - timedelta(weeks=WEEKS)
    first = min(busy_from, quarter_of(now.date())[0])
    for offset in range((now.date() - first).days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        busy = day >= busy_from
        for _ in range(desk.rng.randint(3, 5) if busy else desk.rng.randint(1, 2)):
            await _raise(session, desk, day)
        for _ in range(desk.rng.randint(5, 9) if busy else desk.rng.randint(2, 4)):
            await _call(session, desk, day)
    return {"tickets": desk.tickets, "calls": desk.calls}
