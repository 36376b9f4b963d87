"""The catalogue's in-process caches: rendered answers keyed by request, valid for one outbox
generation, and the raw request signatures the fast path may answer from them.

Every change that can alter a catalogue (products, agreements, participation) records an outbox
event in its own transaction, so the newest event's `seq` is a generation number that moves
exactly when such a change commits, on any replica. An answer is served from the cache only when
it was computed at the current generation. Reading the generation costs a query; between checks a
replica may trust the generation it last read for `max_staleness` seconds, except that a commit
with an outbox event in this process forces the next read to check again, so a process always
sees its own writes. See docs/decisions/0012-catalogue-cache.md.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue_licensing.db import outbox
from chassis.outbox import local_event_commits


async def read_generation(session: AsyncSession) -> int:
    """The newest outbox seq (0 before the first event): an index lookup on the primary key."""
    return int(await session.scalar(select(func.max(outbox.c.seq))) or 0)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLru(Generic[K, V]):
    """At most `max_entries` values, the least recently used dropped first (0: keeps nothing)."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: K) -> V | None:
        return self._entries.get(key)

    def touch(self, key: K) -> None:
        self._entries.move_to_end(key)

    def put(self, key: K, value: V) -> None:
        if self._max_entries <= 0:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


@dataclass(frozen=True)
class CachedAnswer:
    generation: int
    body: bytes
    etag: str


class CatalogueCache:
    """A bounded LRU of rendered catalogue answers, and the generation they are valid for."""

    def __init__(
        self,
        *,
        max_staleness: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_staleness = max_staleness
        self._clock = clock
        self._entries: BoundedLru[Hashable, CachedAnswer] = BoundedLru(max_entries)
        self._generation: int | None = None
        self._checked_at = 0.0
        self._commits_seen = -1
        self.hits = 0
        self.misses = 0
        self.generation_reads = 0

    def trusted_generation(self) -> int | None:
        """The generation last read, if it may still be trusted without asking the database."""
        if (
            self._generation is None
            or self._max_staleness <= 0
            or self._commits_seen != local_event_commits()
            or self._clock() - self._checked_at >= self._max_staleness
        ):
            return None
        return self._generation

    async def generation(self, session: AsyncSession) -> int:
        trusted = self.trusted_generation()
        if trusted is not None:
            return trusted
        # Taken before the query: a local commit that lands while it runs is then checked again
        # on the next read instead of being covered by a generation read before it.
        commits = local_event_commits()
        generation = await read_generation(session)
        self.generation_reads += 1
        self._generation, self._checked_at, self._commits_seen = (
            generation,
            self._clock(),
            commits,
        )
        return generation

    def get(self, key: Hashable, generation: int) -> CachedAnswer | None:
        answer = self._entries.peek(key)
        if answer is None or answer.generation != generation:
            self.misses += 1
            return None
        self._entries.touch(key)
        self.hits += 1
        return answer

    def put(self, key: Hashable, answer: CachedAnswer) -> None:
        self._entries.put(key, answer)

    def stats(self) -> dict[str, Any]:
        return {
            "entries": len(self._entries),
            "hits": self.hits,
            "misses": self.misses,
            "generation_reads": self.generation_reads,
        }


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
