"""One request, one transaction: committed at the edge when the route succeeds, rolled back otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.runtime import get_runtime
from chassis.sql import Transaction

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


def transaction(request: Request) -> AbstractAsyncContextManager[Transaction]:
    """The request's one transaction on the driver (chassis.sql), opened in the route's body:

        async with transaction(request) as tx:
            rows = await service.page(tx, ...)

    A writer (any method but GET, HEAD, OPTIONS) begins IMMEDIATE on SQLite. The commit comes
    at the end of the block, before the route returns: a client never sees success for a change
    that then fails to commit. Cheaper than `TransactionDep` by FastAPI's handling of a
    dependency that yields (~20 µs a request, docs/decisions/0019); take the dependency only
    when another dependency needs the transaction (a load-or-404 of the row to change)."""
    db = get_runtime(request).db
    return db.transaction(write=request.method not in SAFE_METHODS)


async def _request_transaction(request: Request) -> AsyncIterator[Transaction]:
    async with transaction(request) as tx:
        yield tx


# The same one transaction per request, for routes whose dependencies read through it: a
# route takes either this (or `transaction(request)`) or SessionDep, not both.
TransactionDep = Annotated[Transaction, Depends(_request_transaction, scope="function")]
