"""In-process caches of rendered answers that stay valid for one generation of a service's data.

A generation is a number that moves exactly when a change that can alter the cached answers
commits, on any replica. A service whose every such change records an outbox event in its own
transaction has one for free: the newest event's `seq` (`newest_seq`). An answer is served from
the cache only when it was computed at the current generation, so no change is ever hidden by a
stale entry, whichever replica made it.

Reading the generation costs a query, about as much as the whole warm answer it guards. Between
checks a process may therefore trust the generation it last read for `max_staleness` seconds:
that is the bound on how long a change made through another replica can stay invisible. A commit
with an outbox event in this process (chassis.outbox.local_event_commits) forces the next read to
check again, so a process always sees its own writes whatever the bound. Why and at what cost:
docs/decisions/0012-catalogue-cache.md.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.compression import gzip_body
from chassis.concurrency import content_etag
from chassis.outbox import local_event_commits


async def newest_seq(session: AsyncSession, table: Table) -> int:
    """The newest `seq` in an outbox table (0 before the first event): an index lookup on the
    primary key, and the generation of whatever every event-recording change can alter."""
    return int(await session.scalar(select(func.max(table.c.seq))) or 0)


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
class PreparedBody:
    """A body sent as it is many times (a script, a stylesheet): its bytes, strong ETag and
    gzipped bytes (chassis.compression), computed once."""

    body: bytes
    etag: str
    gzipped: bytes | None

    @classmethod
    def of(cls, body: bytes) -> PreparedBody:
        return cls(body=body, etag=content_etag(body), gzipped=gzip_body(body))


@dataclass(frozen=True)
class CachedAnswer:
    """A rendered answer's bytes and strong ETag, and the generation it was computed at;
    `gzipped`: the same bytes compressed once (chassis.compression), or None."""

    generation: int
    body: bytes
    etag: str
    gzipped: bytes | None = None

    @classmethod
    def of(cls, generation: int, body: bytes) -> CachedAnswer:
        """`body` with its content ETag and its gzipped bytes, computed once for every reader."""
        return cls(
            generation=generation, body=body, etag=content_etag(body), gzipped=gzip_body(body)
        )


class GenerationCache:
    """A bounded LRU of rendered answers, and the generation they are valid for, read with
    `read_generation` at most every `max_staleness` seconds (0: on every read)."""

    def __init__(
        self,
        *,
        read_generation: Callable[[AsyncSession], Awaitable[int]],
        max_staleness: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read_generation = read_generation
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
        generation = await self._read_generation(session)
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
