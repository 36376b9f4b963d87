"""The audit trail: who changed what, when, as a field-by-field diff, recorded in the transaction of
the change together with its event, and read back by programme administrators."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field
from pydantic_core import to_jsonable_python
from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Principal
from chassis.middleware import scope_request_id
from chassis.outbox import EventData, record_event
from chassis.pagination import Page, PageQuery, cut_page, int_after
from chassis.problems import problem_responses
from chassis.schemas import OutputModel
from chassis.sessions import SessionDep
from chassis.sql import Prepared, Transaction, inserting, joined
from chassis.types import BigIntPK, JSONDoc, UTCDateTime, utcnow


def audit_table(metadata: MetaData, name: str = "audit_log") -> Table:
    return Table(
        name,
        metadata,
        Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        Column("occurred_at", UTCDateTime, nullable=False, index=True),
        # The token's subject and roles at the time of the change.
        Column("actor", String(200), nullable=False),
        Column("actor_roles", JSONDoc, nullable=False),
        # e.g. "product.updated", "participation.changed"
        Column("action", String(60), nullable=False),
        Column("resource_type", String(40), nullable=False, index=True),
        Column("resource_id", String(64), nullable=False, index=True),
        # {field: {"old": ..., "new": ...}}; for a creation every field's "old" is null.
        Column("changes", JSONDoc, nullable=False),
        Column("request_id", String(200), nullable=True),
    )


@cache
def _audit_insert(table: Table) -> Prepared:
    return inserting(table, (c.name for c in table.c if c.name != "seq"))


def field_diff(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """{field: {"old": ..., "new": ...}} for the fields that differ.

    Values are compared in their JSON form, so a UUID and its string, or a tuple and a list, are
    the same value; a creation (before None) lists every field with old None, a deletion (after
    None) every field with new None.
    """
    old = to_jsonable_python(dict(before or {}))
    new = to_jsonable_python(dict(after or {}))
    changes: dict[str, dict[str, Any]] = {}
    for name in sorted(old.keys() | new.keys()):
        was = old.get(name)
        now = new.get(name)
        if before is None or after is None or was != now:
            changes[name] = {"old": was, "new": now}
    return changes


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The names of the snapshot's fields whose values differ, sorted."""
    return sorted(name for name in after if after[name] != before.get(name))


def request_id_of(request: Request) -> str | None:
    """The request id the edge middleware settled on, to tie an audit entry to the access log."""
    return scope_request_id(request.scope)


class Stamped(Protocol):
    """A row that keeps the time of its last change."""

    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One resource's change as the trail records it: which resource, and its snapshots before
    and after (before None: it was created; after None: it was deleted)."""

    resource_type: str
    resource_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True)
class Trail:
    """A service's record of changes: its audit table and its outbox, written together."""

    audit: Table
    outbox: Table

    async def record_change(
        self,
        on: AsyncSession | Transaction,
        *,
        change: Change,
        principal: Principal,
        action: str,
        request_id: str | None,
    ) -> None:
        """Add an audit entry to the current transaction (it commits or rolls back with the
        change). An update that changes nothing leaves no entry: the trail records changes."""
        changes = field_diff(change.before, change.after)
        if not changes:
            return
        tx = on if isinstance(on, Transaction) else await joined(on)
        await tx.run(
            _audit_insert(self.audit),
            occurred_at=utcnow(),
            actor=principal.subject,
            actor_roles=sorted(principal.roles),
            action=action,
            resource_type=change.resource_type,
            resource_id=change.resource_id,
            changes=changes,
            request_id=request_id,
        )

    async def announce(
        self,
        on: AsyncSession | Transaction,
        event: EventData,
        *,
        change: Change,
        principal: Principal,
        subject: str,
        request_id: str | None,
    ) -> None:
        """The audit entry and the outbox event of one change; the entry's action is the event's
        type. Every change emits an event, even one only the trail would need: a cache may take
        the outbox's newest sequence number as its generation."""
        await self.record_change(
            on,
            change=change,
            principal=principal,
            action=event.event_type,
            request_id=request_id,
        )
        await record_event(on, self.outbox, event, subject=subject)

    async def record_update(
        self,
        session: AsyncSession,
        *,
        row: Stamped,
        change: Change,
        principal: Principal,
        subject: str,
        request_id: str | None,
        event: Callable[[list[str]], EventData],
    ) -> list[str]:
        """Finish an update whose changes are made on `row`: stamp, write, audit, announce.

        `change` holds the row's snapshots before and after the update (both, or it is not an
        update). An update that changes nothing (equal snapshots) writes nothing, so the version
        and the ETag stay. `event` gets the changed fields and runs after the write, when the
        row's new version is known. Returns the changed fields, empty when there were none.
        """
        if change.before is None or change.after is None:
            raise ValueError("An update is recorded from both snapshots, before and after")
        changed = changed_fields(change.before, change.after)
        if not changed:
            return changed
        row.updated_at = utcnow()
        await session.flush()
        await self.announce(
            session,
            event(changed),
            change=change,
            principal=principal,
            subject=subject,
            request_id=request_id,
        )
        return changed


class AuditEntryOut(OutputModel):
    seq: int = Field(description="Position in the trail; newer entries have larger numbers")
    occurred_at: datetime
    actor: str = Field(description="The token's subject that made the change")
    actor_roles: list[str]
    action: str = Field(examples=["product.updated"])
    resource_type: str = Field(examples=["product"])
    resource_id: str
    changes: dict[str, Any] = Field(
        description='{field: {"old": ..., "new": ...}} for each changed field; old is null on creation',
        examples=[{"name": {"old": {"nb": "Lydbøker"}, "new": {"nb": "Lydbøker og e-bøker"}}}],
    )
    request_id: str | None = Field(description="The X-Request-ID of the request that made it")


class AuditQuery(PageQuery):
    resource_type: str | None = Field(
        None, max_length=40, description="e.g. product, vendor, library, agreement"
    )
    resource_id: str | None = Field(
        None, max_length=64, description="The resource's id, ISIL or number"
    )


def audit_router(table: Table) -> APIRouter:
    """GET /v1/audit-log over `table`: newest first, filtered by resource type and id."""
    router = APIRouter(tags=["audit"])

    @router.get(
        "/v1/audit-log",
        summary="Read the audit trail, newest first",
        response_model=Page[AuditEntryOut],
        responses=problem_responses(400, 422),
    )
    async def list_audit_entries(
        request: Request,
        response: Response,
        session: SessionDep,
        page: Annotated[AuditQuery, Query()],
    ) -> Page[AuditEntryOut]:
        query = select(table).order_by(table.c.seq.desc()).limit(page.limit + 1)
        if page.resource_type is not None:
            query = query.where(table.c.resource_type == page.resource_type)
        if page.resource_id is not None:
            query = query.where(table.c.resource_id == page.resource_id)
        if (before_seq := int_after(page)) is not None:
            query = query.where(table.c.seq < before_seq)
        rows = (await session.execute(query)).mappings().all()
        entries, next_cursor = cut_page(
            request, response, rows, page=page, key=lambda e: [e["seq"]]
        )
        return Page[AuditEntryOut](
            items=[AuditEntryOut.model_validate(dict(e)) for e in entries],
            next_cursor=next_cursor,
        )

    return router
