"""The audit trail's rules: record a change as a field-by-field diff, read the trail newest first."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from fastapi import Request
from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.db import outbox
from chassis.auth import Principal
from chassis.middleware import scope_request_id
from chassis.outbox import record_event
from chassis.types import utcnow


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


def request_id_of(request: Request) -> str | None:
    """The request id the edge middleware settled on, to tie an audit entry to the access log."""
    return scope_request_id(request.scope)


async def record_change(
    session: AsyncSession,
    *,
    principal: Principal,
    action: str,
    resource_type: str,
    resource_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    request_id: str | None,
) -> None:
    """Add an audit entry to the current transaction (it commits or rolls back with the change).

    An update that changes nothing leaves no entry: the trail records changes, not attempts.
    """
    changes = field_diff(before, after)
    if not changes:
        return
    session.add(
        AuditEntry(
            occurred_at=utcnow(),
            actor=principal.subject,
            actor_roles=sorted(principal.roles),
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            changes=changes,
            request_id=request_id,
        )
    )
    await session.flush()


async def announce(
    session: AsyncSession,
    *,
    principal: Principal,
    action: str,
    resource_type: str,
    resource_id: str,
    subject: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    request_id: str | None,
    data: dict[str, Any],
) -> None:
    """The audit entry and the outbox event of one change, the event named as the action.

    Every change emits an event, even one only the trail would need: the library catalogue's
    cache takes the outbox's newest sequence number as its generation.
    """
    await record_change(
        session,
        principal=principal,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        before=before,
        after=after,
        request_id=request_id,
    )
    await record_event(session, outbox, type=action, subject=subject, data=data)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """The names of the snapshot's fields whose values differ, sorted."""
    return sorted(name for name in after if after[name] != before.get(name))


class Stamped(Protocol):
    """A row that keeps the time of its last change."""

    updated_at: datetime


async def record_update(
    session: AsyncSession,
    *,
    row: Stamped,
    principal: Principal,
    action: str,
    resource_type: str,
    resource_id: str,
    subject: str,
    before: dict[str, Any],
    after: dict[str, Any],
    request_id: str | None,
    event_data: Callable[[list[str]], dict[str, Any]],
) -> list[str]:
    """Finish an update whose changes are made on `row`: stamp, write, audit, announce.

    An update that changes nothing (equal snapshots) writes nothing, so the version and the ETag
    stay. `event_data` gets the changed fields and runs after the write, when the row's new version
    is known. Returns the changed fields, empty when there were none.
    """
    changed = changed_fields(before, after)
    if not changed:
        return changed
    row.updated_at = utcnow()
    await session.flush()
    await announce(
        session,
        principal=principal,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        subject=subject,
        before=before,
        after=after,
        request_id=request_id,
        data=event_data(changed),
    )
    return changed


async def list_entries(
    session: AsyncSession,
    *,
    resource_type: str | None,
    resource_id: str | None,
    before_seq: int | None,
    limit: int,
) -> Sequence[AuditEntry]:
    """One page of the trail, newest first; `before_seq` continues after the previous page."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if resource_type is not None:
        query = query.where(AuditEntry.resource_type == resource_type)
    if resource_id is not None:
        query = query.where(AuditEntry.resource_id == resource_id)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    return (await session.scalars(query)).all()
