"""Client onboarding's rules: the scope checked as the command line checks it, then against the
catalogue (before any write transaction opens), the change and its audit entry written together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.audit import field_diff
from chassis.auth import Principal
from chassis.types import utcnow
from gateway import directory as catalogue
from gateway.clients import (
    ClientError,
    find_client,
    register_client,
    revoke_client,
    rotate_secret,
)
from gateway.models import ApiClient, audit_log
from gateway.onboarding.errors import (
    ClientNotFound,
    ClientRevoked,
    CommandLineOnly,
    DirectoryUnavailable,
    ScopeMisfit,
    UnknownScope,
)
from gateway.onboarding.schemas import API_ROLES, ClientIn, ClientOut, ClientSecretOut
from gateway.scopes import REQUIRED_SCOPE, Scope, ScopeError, parse_scope, scope_misfit

RESOURCE_TYPE = "api_client"
_SCOPE_FIELDS = ("county", "vendor_id", "isil")


def client_view(client: ApiClient) -> ClientOut:
    return ClientOut(
        client_id=client.client_id,
        name=client.name,
        role=client.role,
        county=client.county,
        vendor_id=client.vendor_id,
        isil=client.isil,
        status="revoked" if client.revoked_at is not None else "active",
        created_at=client.created_at,
        revoked_at=client.revoked_at,
        previous_secret_until=client.previous_secret_until,
        version=client.version,
    )


def secret_view(client: ApiClient, secret: str) -> ClientSecretOut:
    return ClientSecretOut(**client_view(client).model_dump(), client_secret=secret)


def snapshot(client: ApiClient) -> dict[str, Any]:
    """What the trail records of a client: never a secret nor its hash; the version changes with
    each rotation, so a rotation is recorded too."""
    view = client_view(client).model_dump(mode="json")
    return {k: v for k, v in view.items() if k not in ("client_id", "created_at")}


def requested_scope(body: ClientIn) -> Scope:
    """The body's scope, by the command line's rules (shape, at most one, fit to the role); a
    misfit is a 422 naming the field."""
    given = [name for name in _SCOPE_FIELDS if getattr(body, name) is not None]
    for name in given:
        try:
            parse_scope(**{name: getattr(body, name)})
        except ScopeError as exc:
            raise ScopeMisfit(name, str(exc)) from exc
    try:
        scope = parse_scope(county=body.county, vendor_id=body.vendor_id, isil=body.isil)
    except ScopeError as exc:
        raise ScopeMisfit(given[-1], str(exc)) from exc
    misfit = scope_misfit(body.role, scope)
    if misfit is not None:
        needed = REQUIRED_SCOPE.get(body.role, (None, None))[0]
        field = needed if needed is not None and needed not in given else (given or ["role"])[0]
        raise ScopeMisfit(field, misfit.replace("--vendor-id", "vendor_id").replace("--", ""))
    return scope


async def confirmed_scope(directory: catalogue.CatalogueDirectory, scope: Scope) -> Scope:
    """The scope as the catalogue knows it: 422 when its vendor or library does not exist, 503
    when the catalogue cannot say. Asked before the write transaction opens (issue 15, point 4)."""
    try:
        return await directory.confirmed(scope)
    except catalogue.UnknownScope as exc:
        raise UnknownScope(exc.field, str(exc)) from exc
    except catalogue.DirectoryUnavailable as exc:
        raise DirectoryUnavailable(str(exc)) from exc


async def record(
    session: AsyncSession,
    *,
    actor: str,
    roles: Sequence[str],
    action: str,
    client: ApiClient,
    before: dict[str, Any] | None,
    request_id: str | None,
) -> None:
    """The audit entry of one change to a client, in the change's transaction."""
    await session.execute(
        insert(audit_log).values(
            occurred_at=utcnow(),
            actor=actor,
            actor_roles=sorted(roles),
            action=action,
            resource_type=RESOURCE_TYPE,
            resource_id=client.client_id,
            changes=field_diff(before, snapshot(client)),
            request_id=request_id,
        )
    )


async def create_client(
    session: AsyncSession,
    *,
    principal: Principal,
    body: ClientIn,
    scope: Scope,
    request_id: str | None,
) -> tuple[ApiClient, str]:
    try:
        client, secret = await register_client(
            session, name=body.name, role=body.role, scope=scope, hasher=PasswordHasher()
        )
    except ClientError as exc:  # the schema has refused what this would; kept as a 422
        raise ScopeMisfit("name", str(exc)) from exc
    await record(
        session,
        actor=principal.subject,
        roles=sorted(principal.roles),
        action="client.registered",
        client=client,
        before=None,
        request_id=request_id,
    )
    return client, secret


async def client_for_change(session: AsyncSession, client_id: str) -> ApiClient:
    """The client a rotation or revocation changes: 404 when unknown, 403 when the command
    line's (programme administrators' and operators' clients)."""
    client = await find_client(session, client_id)
    if client is None:
        raise ClientNotFound(f"No API client {client_id!r}")
    if client.role not in API_ROLES:
        raise CommandLineOnly(
            f"A {client.role} client is rotated and revoked by an operator (gateway clients …)"
        )
    return client


async def rotate(
    session: AsyncSession,
    client: ApiClient,
    *,
    principal: Principal,
    grace_seconds: int,
    request_id: str | None,
) -> tuple[ApiClient, str]:
    before = snapshot(client)
    if client.revoked_at is not None:
        raise ClientRevoked(f"{client.client_id} is revoked; register a new client instead")
    client, secret = await rotate_secret(
        session,
        client.client_id,
        hasher=PasswordHasher(),
        grace=timedelta(seconds=grace_seconds),
    )
    await record(
        session,
        actor=principal.subject,
        roles=sorted(principal.roles),
        action="client.secret_rotated",
        client=client,
        before=before,
        request_id=request_id,
    )
    return client, secret


async def revoke(
    session: AsyncSession, client: ApiClient, *, principal: Principal, request_id: str | None
) -> ApiClient:
    before = snapshot(client)
    if client.revoked_at is not None:
        raise ClientRevoked(
            f"{client.client_id} has been revoked since {client.revoked_at:%Y-%m-%dT%H:%M:%SZ}"
        )
    client = await revoke_client(session, client.client_id)
    await record(
        session,
        actor=principal.subject,
        roles=sorted(principal.roles),
        action="client.revoked",
        client=client,
        before=before,
        request_id=request_id,
    )
    return client


async def list_clients(
    session: AsyncSession,
    *,
    role: str | None,
    status: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[ApiClient]:
    query = select(ApiClient).order_by(ApiClient.created_at, ApiClient.client_id).limit(limit)
    if role is not None:
        query = query.where(ApiClient.role == role)
    if status == "active":
        query = query.where(ApiClient.revoked_at.is_(None))
    elif status == "revoked":
        query = query.where(ApiClient.revoked_at.is_not(None))
    if after is not None:
        created_at, client_id = after
        query = query.where(
            (ApiClient.created_at > created_at)
            | ((ApiClient.created_at == created_at) & (ApiClient.client_id > client_id))
        )
    return list(await session.scalars(query))
