"""Transactional outbox: events written with the change they describe, served as a pull feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Column, MetaData, String, Table, Uuid, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.ids import uuid7
from chassis.problems import problem_responses
from chassis.sessions import SessionDep
from chassis.types import BigIntPK, JSONDoc, UTCDateTime, utcnow

MAX_EVENTS_PAGE = 1000
# Any constant works: it names the lock that orders outbox writers on PostgreSQL.
_OUTBOX_LOCK_KEY = 7_414_901

_LOCKED = "chassis.outbox_locked"


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


async def record_event(
    session: AsyncSession,
    table: Table,
    *,
    type: str,
    subject: str,
    data: dict[str, Any],
) -> uuid.UUID:
    """Add an event to the current transaction; it becomes visible only if the change commits."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and not session.info.get(_LOCKED):
        # Sequence numbers are taken before commit; serialising outbox writers until commit
        # keeps seq order equal to commit order, so a consumer reading `after=N` never skips
        # an event that commits later with a smaller number.
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _OUTBOX_LOCK_KEY})
        session.info[_LOCKED] = True
    event_id = uuid7()
    await session.execute(
        insert(table).values(
            id=event_id, type=type, subject=subject, data=data, occurred_at=utcnow()
        )
    )
    return event_id


class Event(BaseModel):
    seq: int = Field(description="Position in this service's feed; strictly increasing")
    id: uuid.UUID = Field(description="Unique event id: consumers deduplicate by it")
    type: str = Field(examples=["agreement.created"])
    subject: str = Field(description="Id of the resource the event is about")
    occurred_at: datetime
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[Event]
    next_after: int = Field(description="Pass as `after` to continue from the last event read")
    has_more: bool


def events_router(table: Table) -> APIRouter:
    router = APIRouter(tags=["events"])

    @router.get(
        "/v1/events",
        summary="Read the service's domain events after a position",
        response_model=EventPage,
        responses=problem_responses(400, 401, 403, 422),
    )
    async def list_events(
        request: Request,
        response: Response,
        session: SessionDep,
        after: Annotated[int, Query(ge=0, le=2**62, description="Last seq already read")] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_EVENTS_PAGE)] = 100,
    ) -> EventPage:
        rows = (
            (
                await session.execute(
                    select(table).where(table.c.seq > after).order_by(table.c.seq).limit(limit + 1)
                )
            )
            .mappings()
            .all()
        )
        has_more = len(rows) > limit
        items = [Event.model_validate(dict(r)) for r in rows[:limit]]
        next_after = items[-1].seq if items else after
        if has_more:
            url = request.url.include_query_params(after=next_after)
            response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
        return EventPage(items=items, next_after=next_after, has_more=has_more)

    return router
