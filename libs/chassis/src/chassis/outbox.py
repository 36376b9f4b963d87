"""Transactional outbox: typed events written with the change they describe, served as a pull feed
whose contract declares each event type's data."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Union

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, create_model
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from chassis.concurrency import matches_if_none_match
from chassis.ids import uuid7
from chassis.pagination import next_link
from chassis.problems import problem_responses
from chassis.sessions import transaction
from chassis.sql import Prepared, Transaction, inserting, joined
from chassis.types import BigIntPK, JSONDoc, UTCDateTime, utcnow

MAX_EVENTS_PAGE = 1000
# Any constant works: it names the lock that orders outbox writers on PostgreSQL.
_OUTBOX_LOCK_KEY = 7_414_901

_LOCKED = "chassis.outbox_locked"
_WROTE = "chassis.outbox_written"
# The feed needs a token and may differ by caller: no shared cache may keep it, and a private one
# revalidates every time (the 304 makes that cheap).
FEED_CACHE_CONTROL = "private, no-cache"


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox_events",
        metadata,
        Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        Column("id", Uuid, nullable=False, unique=True),
        Column("type", String(100), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("data", JSONDoc, nullable=False),
        Column("occurred_at", UTCDateTime, nullable=False),
    )


class EventData(BaseModel):
    """The data of one event type. A service declares one subclass per type it emits, sets
    `event_type`, and hands the list to `events_router`, so the feed's contract shows each shape."""

    model_config = ConfigDict(extra="forbid")

    event_type: ClassVar[str]


class _EventCommits:
    """How many transactions with an outbox event this process has committed."""

    count = 0

    @classmethod
    def add(cls) -> None:
        cls.count += 1


@event.listens_for(Session, "after_commit")
def _count_session_commit(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        _EventCommits.add()


def local_event_commits() -> int:
    """How many transactions that recorded an event (in any outbox) this process has committed:
    a cache of what events describe checks its generation again when this moves, so a process
    always sees its own writes (chassis.caching)."""
    return _EventCommits.count


@cache
def _outbox_writes(table: Table) -> tuple[Prepared, Prepared]:
    """The insert of one event into `table`, and PostgreSQL's lock that orders outbox writers."""
    add = inserting(table, ("id", "type", "subject", "data", "occurred_at"))
    lock = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))
    return add, Prepared(lock)


async def record_event(
    on: AsyncSession | Transaction, table: Table, event: EventData, *, subject: str
) -> uuid.UUID:
    """Add an event to the current transaction (a session's or a `Transaction`); it becomes
    visible only if the change commits. `subject` is the id of the resource the event is about.
    """
    tx = on if isinstance(on, Transaction) else await joined(on)
    info = tx.info if isinstance(on, Transaction) else on.info
    if not info.get(_WROTE):
        info[_WROTE] = True
        if isinstance(on, Transaction):
            on.after_commit(_EventCommits.add)
    add, lock = _outbox_writes(table)
    if tx.backend == "postgresql" and not info.get(_LOCKED):
        # Sequence numbers are taken before commit; serialising outbox writers until commit
        # keeps seq order equal to commit order, so a consumer reading `after=N` never skips
        # an event that commits later with a smaller number.
        await tx.rows(lock, key=_OUTBOX_LOCK_KEY)
        info[_LOCKED] = True
    event_id = uuid7()
    await tx.run(
        add,
        id=event_id,
        type=event.event_type,
        subject=subject,
        data=event.model_dump(mode="json"),
        occurred_at=utcnow(),
    )
    return event_id


class Event(BaseModel):
    seq: int = Field(description="Position in this service's feed; strictly increasing")
    id: uuid.UUID = Field(description="Unique event id: consumers deduplicate by it")
    type: str = Field(examples=["agreement.created"])
    subject: str = Field(description="Id of the resource the event is about")
    occurred_at: datetime
    data: dict[str, Any]


FEED_DESCRIPTION = (
    "A feed, not a page of a list: events in the order they were committed, each with a `seq` "
    "that only grows. Read from `after` (0 at first), keep the answer's `next_after`, and ask "
    "with it again, now or later: new events appear after it, none is skipped or changed. "
    "Where lists page with an opaque `cursor` and `next_cursor` that end when the list does, "
    "the feed's position never ends; `has_more` says whether to ask again at once."
)


class FeedQuery(BaseModel):
    """The events feed's query: a position and a page size."""

    after: int = Field(
        0,
        ge=0,
        le=2**62,
        description="The position read up to: the `seq` of the last event already read (0: "
        "from the start). Keep it, not a cursor: the same position asks for new events later",
    )
    limit: int = Field(100, ge=1, le=MAX_EVENTS_PAGE)


class EventPage(BaseModel):
    items: list[Event]
    next_after: int = Field(description="Pass as `after` to continue from the last event read")
    has_more: bool


class _Envelope(BaseModel):
    seq: int = Field(description="Position in this service's feed; strictly increasing")
    id: uuid.UUID = Field(description="Unique event id: consumers deduplicate by it")
    subject: str = Field(description="Id of the resource the event is about")
    occurred_at: datetime


def _feed_item(model: type[EventData]) -> type[BaseModel]:
    """`<Model>Event`: the envelope with `type` fixed to the model's event type."""
    fixed: Any = Literal[model.event_type]
    item: type[BaseModel] = create_model(
        f"{model.__name__}Event", __base__=_Envelope, type=(fixed, ...), data=(model, ...)
    )
    return item


def typed_event_page(events: Sequence[type[EventData]]) -> type[BaseModel]:
    """The feed page's model whose items are a union discriminated by `type`, one member per
    event model: what the contract declares, so consumers can generate their readers from it."""
    types = [model.event_type for model in events]
    if len(set(types)) != len(types):
        raise ValueError(f"an event type is declared twice: {sorted(types)}")
    members: list[Any] = [_feed_item(model) for model in events]
    item: Any = (
        members[0]
        if len(members) == 1
        else Annotated[Union[tuple(members)], Field(discriminator="type")]  # noqa: UP007
    )
    page: type[BaseModel] = create_model(
        "EventPage",
        items=(list[item], ...),
        next_after=(
            int,
            Field(description="Pass as `after` to continue from the last event read"),
        ),
        has_more=(bool, ...),
    )
    return page


def page_etag(*, after: int, limit: int, last_seq: int | None, has_more: bool) -> str:
    """The ETag of one page of the feed, from what fixes its content.

    Events are never changed or removed once committed, so a page's body is determined by where
    it starts, how long it may be, where it ends and whether more follow: a new event changes the
    last seq of a page that was not full, or `has_more` of one that was.
    """
    last = "none" if last_seq is None else str(last_seq)
    return f'"events-{after}-{limit}-{last}-{int(has_more)}"'


_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {
        "description": "Not Modified: the page is unchanged since the ETag sent in If-None-Match",
        "headers": {
            "ETag": {"schema": {"type": "string"}, "description": "The page's entity tag"},
            "Cache-Control": {"schema": {"type": "string"}, "description": FEED_CACHE_CONTROL},
        },
    }
}


def _feed_queries(table: Table) -> tuple[Prepared, Prepared]:
    """The page after a position (one row beyond it tells whether more follow), whole and as
    its seqs alone."""
    after, limit = bindparam("after", type_=BigInteger), bindparam("limit", type_=Integer)

    def page(*columns: Any) -> Prepared:
        return Prepared(
            select(*columns).where(table.c.seq > after).order_by(table.c.seq).limit(limit)
        )

    return page(*table.c), page(table.c.seq)


def events_router(table: Table, events: Sequence[type[EventData]] = ()) -> APIRouter:
    """GET /v1/events over `table`. With the service's event models, the contract declares every
    item's data by its type; without, data is any object."""
    router = APIRouter(tags=["events"])
    page_model: type[BaseModel] = typed_event_page(events) if events else EventPage
    whole_page, seqs_page = _feed_queries(table)

    @router.get(
        "/v1/events",
        summary="Read the service's domain events after a position",
        description=FEED_DESCRIPTION,
        response_model=page_model,
        responses={**_NOT_MODIFIED, **problem_responses(400, 401, 403, 422)},
    )
    async def list_events(
        request: Request,
        query: Annotated[FeedQuery, Query()],
        if_none_match: Annotated[
            str | None,
            Header(description="ETag of a page read before: 304 when the page is unchanged"),
        ] = None,
    ) -> Response:
        after, limit = query.after, query.limit
        async with transaction(request) as tx:
            if if_none_match is not None:
                # The seqs alone decide the ETag: a poller that is up to date costs one narrow
                # query and no event is decoded or serialised.
                seqs = [r["seq"] for r in await tx.rows(seqs_page, after=after, limit=limit + 1)]
                tag = page_etag(
                    after=after,
                    limit=limit,
                    last_seq=seqs[:limit][-1] if seqs else None,
                    has_more=len(seqs) > limit,
                )
                if matches_if_none_match(request, tag):
                    return Response(
                        status_code=304,
                        headers={"ETag": tag, "Cache-Control": FEED_CACHE_CONTROL},
                    )
            rows = await tx.rows(whole_page, after=after, limit=limit + 1)
        has_more = len(rows) > limit
        items = rows[:limit]
        next_after = items[-1]["seq"] if items else after
        headers = {
            "ETag": page_etag(
                after=after,
                limit=limit,
                last_seq=items[-1]["seq"] if items else None,
                has_more=has_more,
            ),
            "Cache-Control": FEED_CACHE_CONTROL,
        }
        if has_more:
            headers["Link"] = next_link(request, after=next_after)
        # Every event's data was validated against its model when it was recorded: the page is
        # checked against the untyped envelope only. Through the model, not pydantic's
        # inference: serialising the same dicts untyped takes 14 times as long.
        page = EventPage.model_validate(
            {"items": items, "next_after": next_after, "has_more": has_more}
        )
        return Response(page.model_dump_json(), media_type="application/json", headers=headers)

    return router
