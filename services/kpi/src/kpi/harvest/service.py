"""One harvest step of a feed: read the page after the cursor (outside any transaction), then
apply its events and move the cursor in one transaction. The cursor row is locked and must still
be where the page was read from, and each event id is applied once: a retry, or a second process
that read the same page, changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

import httpx
from sqlalchemy import Table, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from kpi.bulk import insert_many
from kpi.harvest.apply import Applier
from kpi.harvest.counts import record_facts, write_figures
from kpi.harvest.feed import FeedEvent, Fetched, feed_url, fetch
from kpi.harvest.models import FeedCursor, HarvestedEvent
from kpi.settings import HarvestSettings

CATALOGUE = "catalogue"
FEEDS = (CATALOGUE, "training", "helpdesk")


async def cursor_after(db: Database, feed: str) -> int:
    async with db.reader() as session:
        after = await session.scalar(select(FeedCursor.after).where(FeedCursor.feed == feed))
    return int(after or 0)


async def read_page(
    db: Database, http: httpx.AsyncClient, settings: HarvestSettings, feed: str = CATALOGUE
) -> Fetched | None:
    """The next page of a feed (None when its service is not configured)."""
    if feed_url(settings, feed) is None:
        return None
    return await fetch(http, settings, after=await cursor_after(db, feed), feed=feed)


async def _locked_cursor(session: AsyncSession, feed: str, *, now: datetime) -> FeedCursor:
    """The feed's cursor row, created at 0 if it is not there (by whichever process comes
    first: the other's INSERT does nothing), and locked for this transaction."""
    dialect = (await session.connection()).dialect.name
    add = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        add(FeedCursor)
        .values(feed=feed, after=0, events_applied=0, updated_at=now, version=1)
        .on_conflict_do_nothing(index_elements=["feed"])
    )
    cursor = await session.scalar(
        select(FeedCursor).where(FeedCursor.feed == feed).with_for_update()
    )
    assert cursor is not None  # inserted above, or there before
    return cursor


# One statement records a page's events and answers which were new: the unique key decides, so
# no plan can turn it into a scan (docs/decisions/0045).
_RECORD_NEW = text(
    "INSERT INTO harvested_events (feed, event_id, seq, type, harvested_at) "
    "SELECT CAST(:feed AS varchar), e.id, e.seq, e.type, CAST(:now AS timestamptz) "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:seqs AS bigint[]), CAST(:types AS varchar[])) "
    "AS e(id, seq, type) "
    "ON CONFLICT (feed, event_id) DO NOTHING RETURNING event_id"
)


async def _record_new(
    session: AsyncSession, feed: str, events: Sequence[FeedEvent], *, now: datetime
) -> list[FeedEvent]:
    """Record the page's events as applied; the ones not applied before, in feed order, each
    once. PostgreSQL: one INSERT … ON CONFLICT DO NOTHING RETURNING of arrays. Before, a SELECT
    with an IN of 500 ids, planned as a scan of the feed's rows once the table grew (about
    150 ms a page at 10,000 rows), then a COPY. SQLite: that SELECT, then one executemany."""
    if not events:
        return []
    dialect = (await session.connection()).dialect.name
    if dialect == "postgresql":
        new = set(
            (
                await session.scalars(
                    _RECORD_NEW,
                    {
                        "feed": feed,
                        "now": now,
                        "ids": [e.id for e in events],
                        "seqs": [e.seq for e in events],
                        "types": [e.type for e in events],
                    },
                )
            ).all()
        )
    else:
        done = set(
            (
                await session.scalars(
                    select(HarvestedEvent.event_id).where(
                        HarvestedEvent.feed == feed,
                        HarvestedEvent.event_id.in_([e.id for e in events]),
                    )
                )
            ).all()
        )
        new = {e.id for e in events} - done
    fresh: list[FeedEvent] = []
    for event in events:
        if event.id in new:
            fresh.append(event)
            new.discard(event.id)
    if dialect != "postgresql":
        await insert_many(
            session,
            cast(Table, HarvestedEvent.__table__),
            ("feed", "event_id", "seq", "type", "harvested_at"),
            [(feed, e.id, e.seq, e.type, now) for e in fresh],
        )
    return fresh


async def apply_page(session: AsyncSession, fetched: Fetched, *, now: datetime) -> bool:
    """Apply the page in `session`'s transaction; False when the cursor had moved since the
    page was read (another process applied it: nothing done). The caller commits."""
    feed = fetched.feed
    cursor = await _locked_cursor(session, feed, now=now)
    if cursor.after != fetched.after:
        return False
    fresh = await _record_new(session, feed, fetched.page.items, now=now)
    if feed == CATALOGUE:
        applier = Applier(session, fetched.directory)
        if fresh:
            await applier.prefetch(fresh)
        for event in fresh:
            await applier.apply(event, now=now)
        # Libraries just brought in get the figures other feeds held for them.
        arrived = {
            str(e.data.get("isil"))
            for e in fresh
            if e.type in ("library.created", "library.updated")
            and e.data.get("isil") in fetched.directory.libraries
        }
        if arrived:
            await write_figures(session, isils=arrived, now=now)
    else:
        touched = await record_facts(session, feed, fresh, now=now)
        await write_figures(session, touched=touched, now=now)
    if fetched.page.next_after != cursor.after or fresh:
        cursor.after = max(cursor.after, fetched.page.next_after)
        cursor.events_applied += len(fresh)
        cursor.updated_at = now
        await session.flush()
    return True


async def cursors(session: AsyncSession) -> Sequence[FeedCursor]:
    return (await session.scalars(select(FeedCursor).order_by(FeedCursor.feed))).all()


# How soon a run comes back when the page was full (more is waiting) or the cursor had moved.
AT_ONCE = timedelta(0)
