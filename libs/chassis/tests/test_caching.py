"""The generation cache (chassis.caching): an answer is served only at the generation it was
computed at, the generation is trusted for at most the staleness bound, and a process's own
commits with an event are seen at once."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.caching import BoundedLru, CachedAnswer, GenerationCache, newest_seq
from chassis.db import Database
from chassis.outbox import EventData, record_event
from notes_app.app import SPEC, NotesSettings, outbox

NAME = "notes-caching"
# The generation readers below do not query: a session that is never connected stands in.
UNUSED = AsyncSession()


class Happened(EventData):
    event_type = "test.happened"


def _answer(generation, body=b"{}"):
    return CachedAnswer(generation=generation, body=body, etag=f'"{generation}"')


class Generations:
    """A generation reader that counts its reads, and a clock the test moves."""

    def __init__(self):
        self.current = 1
        self.reads = 0
        self.now = 1000.0

    async def read(self, _session):
        self.reads += 1
        return self.current

    def cache(self, *, max_staleness=5.0, max_entries=10):
        return GenerationCache(
            read_generation=self.read,
            max_staleness=max_staleness,
            max_entries=max_entries,
            clock=lambda: self.now,
        )


# ---------------------------------------------------------------- the bounded LRU


def test_the_least_recently_used_entry_is_dropped_first():
    lru: BoundedLru[str, int] = BoundedLru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    lru.touch("a")
    lru.put("c", 3)
    assert len(lru) == 2
    assert (lru.peek("a"), lru.peek("b"), lru.peek("c")) == (1, None, 3)


def test_putting_a_key_again_replaces_its_value_and_makes_it_the_newest():
    lru: BoundedLru[str, int] = BoundedLru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    lru.put("a", 10)
    lru.put("c", 3)
    assert (lru.peek("a"), lru.peek("b"), lru.peek("c")) == (10, None, 3)


def test_peeking_does_not_make_an_entry_recent():
    lru: BoundedLru[str, int] = BoundedLru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.peek("a") == 1
    lru.put("c", 3)
    assert lru.peek("a") is None


def test_no_room_keeps_nothing():
    lru: BoundedLru[str, int] = BoundedLru(0)
    lru.put("a", 1)
    assert len(lru) == 0
    assert lru.peek("a") is None


# ---------------------------------------------------------------- answers and generations


def test_an_answer_is_served_only_at_the_generation_it_was_computed_at():
    cache = Generations().cache()
    cache.put("key", _answer(7))
    assert cache.get("key", 7) == _answer(7)
    assert cache.get("key", 8) is None
    assert cache.get("other", 7) is None
    assert cache.stats() == {"entries": 1, "hits": 1, "misses": 2, "generation_reads": 0}


def test_answers_beyond_the_bound_are_dropped_least_recently_used_first():
    cache = Generations().cache(max_entries=2)
    cache.put("a", _answer(1))
    cache.put("b", _answer(1))
    assert cache.get("a", 1) is not None
    cache.put("c", _answer(1))
    assert cache.get("b", 1) is None
    assert cache.get("a", 1) is not None
    assert cache.stats()["entries"] == 2


async def test_the_generation_is_trusted_until_the_staleness_bound_then_read_again():
    generations = Generations()
    cache = generations.cache(max_staleness=5.0)
    assert cache.trusted_generation() is None, "nothing to trust before the first read"
    assert await cache.generation(UNUSED) == 1
    generations.current = 2
    generations.now += 4.9
    assert cache.trusted_generation() == 1
    assert await cache.generation(UNUSED) == 1
    assert generations.reads == cache.generation_reads == 1
    generations.now += 0.1
    assert cache.trusted_generation() is None, "the bound itself is stale"
    assert await cache.generation(UNUSED) == 2
    assert generations.reads == cache.generation_reads == 2
    assert cache.trusted_generation() == 2


async def test_no_staleness_reads_the_generation_every_time():
    generations = Generations()
    cache = generations.cache(max_staleness=0.0)
    for _ in range(3):
        assert await cache.generation(UNUSED) == 1
        assert cache.trusted_generation() is None
    assert cache.generation_reads == 3


# ---------------------------------------------------------------- on a real outbox


@pytest.fixture
async def db(databases):
    url = await databases.migrated(NAME, SPEC.alembic_ini)
    database = Database(NotesSettings(database_url=url))
    try:
        yield database
    finally:
        await database.dispose()
        await databases.empty(NAME)


async def _record(db, events=1):
    async with db.transaction(write=True) as tx:
        for _ in range(events):
            await record_event(tx, outbox, Happened(), subject="s")


async def _newest(session):
    return await newest_seq(session, outbox)


async def test_newest_seq_is_zero_before_the_first_event_then_the_last_events(db):
    async with db.reader() as session:
        assert await newest_seq(session, outbox) == 0
    await _record(db, events=3)
    async with db.reader() as session:
        assert await newest_seq(session, outbox) == 3


async def test_a_processs_own_event_is_seen_at_once_whatever_the_bound(db):
    cache = GenerationCache(read_generation=_newest, max_staleness=60.0, max_entries=10)
    async with db.reader() as session:
        assert await cache.generation(session) == 0
    await _record(db)
    assert cache.trusted_generation() is None
    async with db.reader() as session:
        assert await cache.generation(session) == 1
    assert cache.generation_reads == 2
    assert cache.trusted_generation() == 1


async def test_an_event_committed_while_the_generation_is_read_is_checked_again(db):
    """The read may see the database before the commit: the next read must not trust it."""

    async def read_then_commit(session):
        before = await newest_seq(session, outbox)
        await _record(db)
        return before

    cache = GenerationCache(read_generation=read_then_commit, max_staleness=60.0, max_entries=10)
    async with db.reader() as session:
        assert await cache.generation(session) == 0
    assert cache.trusted_generation() is None
