"""What the catalogue's caches need beyond chassis.caching: the catalogue's generation, and the
raw request signatures the fast path may answer from the cached answers.

Every change that can alter a catalogue (products, agreements, participation) records an event in
the service's outbox in its own transaction, so the newest event's `seq` is the catalogue's
generation: answers are cached in a chassis.caching.GenerationCache that reads it. See
docs/decisions/0012-catalogue-cache.md.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import outbox
from chassis.caching import BoundedLru, newest_seq


async def read_generation(session: AsyncSession) -> int:
    """The catalogue's generation: the newest seq of the service's outbox (0 before any event)."""
    return await newest_seq(session, outbox)


# (path, raw query string, raw Accept-Language, the day in the catalogue's time zone)
Signature = tuple[str, bytes, bytes | None, date]


@dataclass(frozen=True)
class Resolved:
    key: Hashable
    language: str


class Signatures:
    """Raw request signatures the route has answered, with what they resolved to (bounded LRU)."""

    def __init__(self, max_entries: int) -> None:
        self._entries: BoundedLru[Signature, Resolved] = BoundedLru(max_entries)
        self.hits = 0

    def get(self, signature: Signature) -> Resolved | None:
        resolved = self._entries.peek(signature)
        if resolved is not None:
            self._entries.touch(signature)
        return resolved

    def put(self, signature: Signature, resolved: Resolved) -> None:
        self._entries.put(signature, resolved)
