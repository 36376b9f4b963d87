"""One request, one transaction: committed at the edge when the route succeeds, rolled back otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.runtime import get_runtime

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
