"""The audit trail's rules: record a change as a field-by-field diff, read the trail newest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.audit.models import AuditEntry
from chassis.auth import Principal
from chassis.middleware import scope_request_id
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
