"""Idempotency-Key on creating POSTs: a replay gets the first response; another body with the key is refused."""

from __future__ import annotations

import hashlib
import json
import re

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.policy import PrincipalDep
from chassis.problems import BadRequest, Unprocessable
from chassis.query import DocumentedHeader, reads_headers
from chassis.sessions import SessionDep
from chassis.types import BigIntPK, JSONDoc, UTCDateTime, utcnow

_KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,255}$")
# Headers of the first response that a replay must repeat.
_REPLAYED_HEADERS = ("etag", "location", "content-location")


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_records",
        metadata,
        Column("id", BigIntPK, primary_key=True, autoincrement=True),
        Column("principal", String(200), nullable=False),
        Column("key", String(255), nullable=False),
        Column("method", String(10), nullable=False),
        Column("path", String(2000), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("body", Text, nullable=False),
        Column("headers", JSONDoc, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        UniqueConstraint("principal", "key"),
    )


class Idempotency:
    """The Idempotency-Key of one request. Without a key both methods do nothing."""

    def __init__(
        self,
        *,
        session: AsyncSession,
        table: Table,
        principal: str,
        key: str | None,
        method: str,
        path: str,
        request_hash: str,
    ) -> None:
        self._session = session
        self._table = table
        self._principal = principal
        self.key = key
        self._method = method
        self._path = path
        self._hash = request_hash

    async def replay(self) -> JSONResponse | None:
        """The stored first response for this key, or None when the key is new."""
        if self.key is None:
            return None
        if self._session.get_bind().dialect.name == "postgresql":
            # Concurrent requests with one key wait here for the first to commit, then replay
            # its response; without the lock they would race to the unique constraint.
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                {"k": f"idempotency:{self._principal}:{self.key}"},
            )
        t = self._table
        row = (
            (
                await self._session.execute(
                    select(t).where(t.c.principal == self._principal, t.c.key == self.key)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        if (row["method"], row["path"], row["request_hash"]) != (
            self._method,
            self._path,
            self._hash,
        ):
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used with another request; use a new key",
            )
        headers = dict(row["headers"]) | {"Idempotent-Replayed": "true"}
        return JSONResponse(
            json.loads(row["body"]), status_code=row["status_code"], headers=headers
        )

    async def remember(self, response: JSONResponse) -> JSONResponse:
        """Store the response in the same transaction as the change it reports."""
        if self.key is None:
            return response
        headers = {k: v for k, v in response.headers.items() if k in _REPLAYED_HEADERS}
        await self._session.execute(
            insert(self._table).values(
                principal=self._principal,
                key=self.key,
                method=self._method,
                path=self._path,
                request_hash=self._hash,
                status_code=response.status_code,
                body=bytes(response.body).decode(),
                headers=headers,
                created_at=utcnow(),
            )
        )
        return response


class BadIdempotencyKey(BadRequest):
    slug = "bad-idempotency-key"


class IdempotencyKeyReused(Unprocessable):
    slug = "idempotency-key-reused"


IDEMPOTENCY_KEY = DocumentedHeader(
    "Idempotency-Key",
    "Makes a retry safe: a replay with the same key and body returns the first answer; the key "
    "with another body is refused (422)",
    examples=("6f1c2a90-create-vendor",),
)


class IdempotencyKeys:
    """The dependency giving a creating route the Idempotency of its request, bound to the
    service's table. A service writes its alias once, statically typed:

        IdempotencyDep = Annotated[Idempotency, Depends(IdempotencyKeys(idempotency))]
    """

    def __init__(self, table: Table) -> None:
        self.table = table

    @reads_headers(IDEMPOTENCY_KEY)
    async def __call__(
        self,
        request: Request,
        session: SessionDep,
        principal: PrincipalDep,
    ) -> Idempotency:
        idempotency_key = request.headers.get("idempotency-key")
        # The shape is checked here rather than by the parameter, so a bad key gets its own 400
        # and not the generic validation error.
        if idempotency_key is not None and not _KEY_SHAPE.match(idempotency_key):
            raise BadIdempotencyKey("Idempotency-Key must be 1 to 255 visible ASCII characters")
        body = await request.body()
        return Idempotency(
            session=session,
            table=self.table,
            principal=principal.identity,
            key=idempotency_key,
            method=request.method,
            path=request.url.path,
            request_hash=hashlib.sha256(body).hexdigest(),
        )
