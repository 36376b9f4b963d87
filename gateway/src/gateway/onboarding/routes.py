"""/gateway/v1/clients: a programme administrator registers, lists, reads, rotates and revokes
the API clients of vendors, libraries and counties; the secret is in the creating answer only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from chassis.audit import request_id_of
from chassis.concurrency import NOT_MODIFIED, IfMatchDep, IfNoneMatchDep, conditional_json
from chassis.pagination import BadCursor, Page, cut_page, decode_cursor
from chassis.policy import PrincipalDep
from chassis.problems import problem_responses
from chassis.runtime import get_runtime
from chassis.sessions import SessionDep
from gateway.clients import CLIENT_ID_MAX_LENGTH, find_client
from gateway.directory import CatalogueDirectory
from gateway.onboarding import service
from gateway.onboarding.errors import ClientNotFound
from gateway.onboarding.schemas import ClientIn, ClientOut, ClientQuery, ClientSecretOut, RotationIn
from gateway.runtime import gateway_runtime

PREFIX = "/gateway"
router = APIRouter(tags=["clients"])
# A secret is in the answer: no cache anywhere may keep it (RFC 9111 §5.2.2.5).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PRIVATE_CACHE = "private, no-cache"
ClientIdPath = Annotated[
    str, Path(min_length=1, max_length=CLIENT_ID_MAX_LENGTH, pattern=r"^[a-z0-9][a-z0-9\-]*$")
]


def _location(client_id: str) -> str:
    return f"{PREFIX}/v1/clients/{client_id}"


def _secret_json(view: ClientSecretOut, etag: str, *, status_code: int = 200) -> JSONResponse:
    headers = {"ETag": etag, **NO_STORE}
    if status_code == 201:
        headers["Location"] = _location(view.client_id)
    return JSONResponse(view.model_dump(mode="json"), status_code=status_code, headers=headers)


def _directory(request: Request) -> CatalogueDirectory:
    runtime = gateway_runtime(request.app)
    return CatalogueDirectory.of(
        runtime.settings, get_runtime(request).http, lambda: runtime.keys.signing_key
    )


@router.post(
    "/v1/clients",
    status_code=201,
    summary="Register an API client for a vendor, a library or a county",
    description=(
        "The scope must fit the role (a vendor client names its vendor_id, a library or staff "
        "client its isil, a county_admin its county) and the vendor or library must exist in "
        "the catalogue. The answer carries the client's secret: it is shown only here."
    ),
    response_model=ClientSecretOut,
    responses=problem_responses(400, 422, 503),
)
async def create_client(request: Request, body: ClientIn, principal: PrincipalDep) -> JSONResponse:
    scope = service.requested_scope(body)
    # The catalogue is asked before the write transaction opens: no outbound call holds a lock.
    scope = await service.confirmed_scope(_directory(request), scope)
    async with get_runtime(request).db.writer() as session, session.begin():
        client, secret = await service.create_client(
            session, principal=principal, body=body, scope=scope, request_id=request_id_of(request)
        )
        view = service.secret_view(client, secret)
        etag = client.etag
    return _secret_json(view, etag, status_code=201)


def _after(query: ClientQuery) -> tuple[datetime, str] | None:
    if query.cursor is None:
        return None
    created_at, client_id = decode_cursor(query.cursor, arity=2)
    try:
        return datetime.fromisoformat(str(created_at)), str(client_id)
    except ValueError as exc:
        raise BadCursor("The cursor is not one this API issued") from exc


@router.get(
    "/v1/clients",
    summary="List the API clients (never their secrets)",
    response_model=Page[ClientOut],
    responses=problem_responses(400, 422),
)
async def list_clients(
    request: Request,
    response: Response,
    session: SessionDep,
    page: Annotated[ClientQuery, Query()],
) -> Page[ClientOut]:
    rows = await service.list_clients(
        session, role=page.role, status=page.status, after=_after(page), limit=page.limit + 1
    )
    clients, next_cursor = cut_page(
        request, response, rows, page=page, key=lambda c: [c.created_at.isoformat(), c.client_id]
    )
    return Page[ClientOut](items=[service.client_view(c) for c in clients], next_cursor=next_cursor)


@router.get(
    "/v1/clients/{client_id}",
    summary="Read an API client (never its secret)",
    response_model=ClientOut,
    responses={**NOT_MODIFIED, **problem_responses(404, 422)},
)
async def get_client(
    client_id: ClientIdPath, session: SessionDep, if_none_match: IfNoneMatchDep
) -> Response:
    client = await find_client(session, client_id)
    if client is None:
        raise ClientNotFound(f"No API client {client_id!r}")
    return conditional_json(
        if_none_match, service.client_view(client), client, cache_control=PRIVATE_CACHE
    )


@router.post(
    "/v1/clients/{client_id}/rotate-secret",
    summary="Give an API client a new secret (shown only in this answer)",
    description=(
        "The old secret stops working at once, or after `grace_seconds` (at most 30 days), "
        "so a client deployed in several places can switch over."
    ),
    response_model=ClientSecretOut,
    responses=problem_responses(403, 404, 409, 412, 422, 428),
)
async def rotate_client_secret(
    request: Request,
    client_id: ClientIdPath,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
    body: RotationIn | None = None,
) -> JSONResponse:
    client = await service.client_for_change(session, client_id)
    if_match.require(client)
    client, secret = await service.rotate(
        session,
        client,
        principal=principal,
        grace_seconds=body.grace_seconds if body is not None else 0,
        request_id=request_id_of(request),
    )
    return _secret_json(service.secret_view(client, secret), client.etag)


@router.post(
    "/v1/clients/{client_id}/revoke",
    summary="Revoke an API client: the token endpoint refuses it from now on",
    description="Tokens it already holds stay valid until they expire.",
    response_model=ClientOut,
    responses=problem_responses(403, 404, 409, 412, 422, 428),
)
async def revoke_client(
    request: Request,
    client_id: ClientIdPath,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> JSONResponse:
    client = await service.client_for_change(session, client_id)
    if_match.require(client)
    client = await service.revoke(
        session, client, principal=principal, request_id=request_id_of(request)
    )
    view = service.client_view(client)
    return JSONResponse(view.model_dump(mode="json"), headers={"ETag": client.etag, **NO_STORE})
