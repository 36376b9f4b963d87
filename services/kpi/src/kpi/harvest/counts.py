"""Training's and helpdesk's events turned into figures: each event a fact about one subject (a
registration, an attendance, a ticket, a call) for a library and a month; a library's monthly
figure of an indicator is the sum of its facts, written as an observation (source `harvest`)
through the same writer as a CSV import, so its history is kept the same way."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kpi.harvest.feed import FeedEvent
from kpi.harvest.models import HarvestedFact
from kpi.imports.validation import ValidRow
from kpi.imports.writer import write_rows
from kpi.observations.periods import parse_period
from kpi.organisations.natural_codes import resolve

SOURCE = "harvest"
HARVESTED_BY = "harvest:feeds"


@dataclass(frozen=True, slots=True)
class Fact:
    indicator: str
    subject: str
    isil: str
    month: date
    value: int


def _month(event: FeedEvent, happened: str | None = None) -> date:
    """The month of what the event tells: `happened` names the field of its data that says when
    that was (a call logged afterwards), else it is when the event was recorded."""
    when = event.occurred_at
    stated = event.data.get(happened) if happened else None
    if isinstance(stated, str):
        with contextlib.suppress(ValueError):  # a time it cannot read: the event's own
            when = datetime.fromisoformat(stated)
    assert when is not None  # the feeds' contract requires it
    return date(when.year, when.month, 1)


def _fact(
    indicator: str, event: FeedEvent, isil: Any, value: int, *, happened: str | None = None
) -> list[Fact]:
    if not isinstance(isil, str) or not isil:
        # A registrant whose token named no library: nobody's figure.
        return []
    return [Fact(indicator, event.subject, isil, _month(event, happened), value)]


def training_facts(event: FeedEvent) -> list[Fact]:
    """Registrations as they stand (confirmed or promoted: 1; cancelled: 0) and attendances
    (attended: 1; recorded as absent: 0), by the registration's id."""
    data = event.data
    if event.type in ("registration.confirmed", "registration.promoted"):
        return _fact("training_registrations", event, data.get("isil"), 1)
    if event.type == "registration.cancelled":
        return _fact("training_registrations", event, data.get("isil"), 0)
    if event.type == "attendance.recorded":
        return _fact("training_participants", event, data.get("isil"), int(bool(data["attended"])))
    return []


def helpdesk_facts(event: FeedEvent) -> list[Fact]:
    """Tickets raised and calls logged, each once, for the library they are about, in the month
    the ticket reached the desk and the call took place (events before those fields: the
    month they were recorded)."""
    isil = event.data.get("library_isil")
    if event.type == "ticket.created":
        return _fact("helpdesk_tickets", event, isil, 1, happened="raised_at")
    if event.type == "call.logged":
        return _fact("helpdesk_calls", event, isil, 1, happened="occurred_at")
    return []


FACTS = {"training": training_facts, "helpdesk": helpdesk_facts}

Key = tuple[str, str, date]


async def record_facts(
    session: AsyncSession, feed: str, events: Sequence[FeedEvent], *, now: datetime
) -> set[Key]:
    """Upsert the events' facts (a subject's month and library kept from its first fact, its
    value from its latest); the (indicator, isil, month) figures they touch."""
    latest: dict[tuple[str, str], Fact] = {}
    for event in events:
        for fact in FACTS[feed](event):
            first = latest.get((fact.indicator, fact.subject))
            latest[fact.indicator, fact.subject] = (
                fact
                if first is None
                else Fact(fact.indicator, fact.subject, first.isil, first.month, fact.value)
            )
    if not latest:
        return set()
    dialect = (await session.connection()).dialect.name
    add = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = add(HarvestedFact)
    statement = statement.on_conflict_do_update(
        index_elements=["indicator", "subject"],
        set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
    )
    await session.execute(
        statement,
        [
            {
                "indicator": f.indicator,
                "subject": f.subject,
                "isil": f.isil,
                "month": f.month,
                "value": f.value,
                "updated_at": now,
            }
            for f in latest.values()
        ],
    )
    # Where each fact stands now (an older fact keeps its first month and library).
    keys = list(latest)
    touched: set[Key] = set()
    for start in range(0, len(keys), 500):
        rows = await session.execute(
            select(HarvestedFact.indicator, HarvestedFact.isil, HarvestedFact.month).where(
                tuple_(HarvestedFact.indicator, HarvestedFact.subject).in_(
                    keys[start : start + 500]
                )
            )
        )
        touched.update((r.indicator, r.isil, r.month) for r in rows)
    return touched


async def write_figures(
    session: AsyncSession, *, touched: Iterable[Key] = (), isils: Iterable[str] = (), now: datetime
) -> int:
    """The figures of the touched keys, and every figure of `isils` (libraries just brought in
    from the directory), written as observations for the libraries kpi knows; a library it does
    not know yet keeps its facts until the directory brings it. The figures written."""
    wanted = set(touched)
    places = {isil for _, isil, _ in wanted} | set(isils)
    if not places:
        return 0
    whole = set(isils)
    sums = await session.execute(
        select(
            HarvestedFact.indicator,
            HarvestedFact.isil,
            HarvestedFact.month,
            func.sum(HarvestedFact.value).label("total"),
        )
        .where(HarvestedFact.isil.in_(sorted(places)))
        .group_by(HarvestedFact.indicator, HarvestedFact.isil, HarvestedFact.month)
    )
    found = sums.all()
    if not found:
        # The usual case for a library the directory brings: no feed has named it yet.
        return 0
    known = (await resolve(session, [f"library:{isil}" for isil in places])).found
    rows: list[ValidRow] = []
    for r in found:
        organisation = known.get(f"library:{r.isil}")
        if organisation is None or (
            r.isil not in whole and (r.indicator, r.isil, r.month) not in wanted
        ):
            continue
        rows.append(
            ValidRow(
                row=0,
                indicator=r.indicator,
                organisation_id=organisation.id,
                period=parse_period(f"{r.month.year:04d}-{r.month.month:02d}"),
                value=float(r.total),
                status="provisional",
                comment=None,
            )
        )
    if rows:
        await write_rows(
            session,
            rows=rows,
            by=HARVESTED_BY,
            now=now,
            progress=lambda _: None,
            source=SOURCE,
        )
    return len(rows)
