"""One harvest step of a feed: read the page after the cursor (outside any transaction), then
apply its events and move the cursor in one transaction. The cursor row is locked and must still
be where the page was read from, and each event id is applied once: a retry, or a second process
that read the same page, changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

import httpx
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from kpi.bulk import insert_many
from kpi.harvest.apply import Applier
from kpi.harvest.feed import Fetched, fetch
from kpi.harvest.models import FeedCursor, HarvestedEvent
from kpi.settings import HarvestSettings

CATALOGUE = "catalogue"


async def cursor_after(db: Database, feed: str) -> int:
    async with db.reader() as session:
        after = await session.scalar(select(FeedCursor.after).where(FeedCursor.feed == feed))
    return int(after or 0)


async def read_page(
    db: Database, http: httpx.AsyncClient, settings: HarvestSettings
) -> Fetched | None:
    """The next page of the catalogue's feed (None when no feed is configured)."""
    if settings.catalogue_url is None:
        return None
    return await fetch(http, settings, after=await cursor_after(db, CATALOGUE))


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


async def apply_page(session: AsyncSession, fetched: Fetched, *, now: datetime) -> bool:
    """Apply the page in `session`'s transaction; False when the cursor had moved since the
    page was read (another process applied it: nothing done). The caller commits."""
    cursor = await _locked_cursor(session, CATALOGUE, now=now)
    if cursor.after != fetched.after:
        return False
    events = fetched.page.items
    done = (
        set(
            (
                await session.scalars(
                    select(HarvestedEvent.event_id).where(
                        HarvestedEvent.feed == CATALOGUE,
                        HarvestedEvent.event_id.in_([e.id for e in events]),
                    )
                )
            ).all()
        )
        if events
        else set()
    )
    applier = Applier(session, fetched.directory)
    fresh = [e for e in events if e.id not in done]
    for event in fresh:
        await applier.apply(event, now=now)
    # COPY on PostgreSQL: a page's rows in one round trip (docs/decisions/0036).
    await insert_many(
        session,
        cast(Table, HarvestedEvent.__table__),
        ("feed", "event_id", "seq", "type", "harvested_at"),
        [(CATALOGUE, e.id, e.seq, e.type, now) for e in fresh],
    )
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
