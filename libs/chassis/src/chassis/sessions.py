"""One request, one transaction: committed at the edge when the route succeeds, rolled back otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.runtime import get_runtime
from chassis.sql import Transaction, open_transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    db = get_runtime(request).db
    # Writers start with BEGIN IMMEDIATE on SQLite, so a read-modify-write cannot lose an update.
    factory = db.reader if request.method in SAFE_METHODS else db.writer
    async with factory() as session, session.begin():
        yield session


# scope="function": the commit happens before the response is sent, so a client never sees
# success for a change that then fails to commit.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]


async def _request_transaction(request: Request) -> AsyncIterator[Transaction]:
    db = get_runtime(request).db
    async with open_transaction(db.engine, write=request.method not in SAFE_METHODS) as tx:
        yield tx


# The same one transaction per request, for routes whose queries are `chassis.sql.Query`s run on
# the driver (no ORM session): a route takes either this or SessionDep, not both.
TransactionDep = Annotated[Transaction, Depends(_request_transaction, scope="function")]
