"""Token buckets: the GCRA step on a fake clock, and the memory and Redis backends on the same cases."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from gateway.ratelimit import (
    Bucket,
    Buckets,
    MemoryBuckets,
    Quota,
    RateLimiter,
    RateLimitMetrics,
    RateLimitQuotas,
    RedisBuckets,
    gcra_step,
    seconds,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SLOW = Quota(per_second=0.001, burst=5)  # refills once in 1000 s: nothing refills during a test


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000_000

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += round(seconds * 1_000_000)


_redis_reason: list[str | None] = []


async def redis_unavailable_reason() -> str | None:
    """None when Redis answers at TEST_REDIS_URL (default 127.0.0.1:6379), else why not."""
    if not _redis_reason:
        client = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            await client.ping()
            _redis_reason.append(None)
        except Exception as exc:  # any failure means: no Redis here
            _redis_reason.append(f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}")
        finally:
            await client.aclose()
    return _redis_reason[0]


async def delete_prefix(client: Redis, prefix: str) -> None:
    keys = [key async for key in client.scan_iter(match=prefix + "*")]
    if keys:
        await client.delete(*keys)


def metrics() -> RateLimitMetrics:
    return RateLimitMetrics(CollectorRegistry())


@pytest.fixture(params=["memory", "redis"])
async def buckets(request: pytest.FixtureRequest) -> AsyncIterator[Buckets]:
    """Each backend in turn; Redis under a key prefix of this test's own, removed afterwards."""
    if request.param == "memory":
        yield MemoryBuckets()
        return
    reason = await redis_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    prefix = f"test-gateway:{uuid.uuid4().hex}:"
    backend = RedisBuckets.connect(
        REDIS_URL,
        prefix=prefix,
        timeout_seconds=1.0,
        pool_size=4,
        fallback=MemoryBuckets(),
        errors=metrics().backend_errors,
    )
    try:
        yield backend
    finally:
        cleaner = Redis.from_url(REDIS_URL)
        await delete_prefix(cleaner, prefix)
        await cleaner.aclose()
        await backend.close()


# ---------------------------------------------------------------- the GCRA step, on a fake clock


def test_a_fresh_bucket_allows_its_burst_then_refuses() -> None:
    quota = Quota(per_second=2, burst=3)
    clock = FakeClock()
    memory = MemoryBuckets(clock=clock)
    decisions = [memory.take_now([Bucket("k", quota)]) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert all(d.limit == 3 for d in decisions)
    # Empty: one request back after one interval (0.5 s), full again after three.
    assert decisions[3].retry_us == 500_000
    assert decisions[3].reset_us == 1_500_000
    assert decisions[2].reset_us == 1_500_000


def test_the_bucket_refills_at_its_rate_and_never_above_its_burst() -> None:
    quota = Quota(per_second=2, burst=3)
    clock = FakeClock()
    memory = MemoryBuckets(clock=clock)
    for _ in range(3):
        memory.take_now([Bucket("k", quota)])
    clock.advance(0.49)
    assert not memory.take_now([Bucket("k", quota)]).allowed
    clock.advance(0.01)
    again = memory.take_now([Bucket("k", quota)])
    assert again.allowed
    assert again.remaining == 0
    clock.advance(3600)
    after_an_hour = [memory.take_now([Bucket("k", quota)]).allowed for _ in range(4)]
    assert after_an_hour == [True, True, True, False]


def test_a_refused_request_costs_nothing() -> None:
    quota = Quota(per_second=1, burst=1)
    tat, first = gcra_step(0, 10_000_000, quota)
    assert first.allowed
    unchanged, refused = gcra_step(tat, 10_000_000, quota)
    assert not refused.allowed
    assert unchanged == tat


def test_header_seconds_round_up() -> None:
    assert seconds(0) == 0
    assert seconds(1) == 1
    assert seconds(1_000_000) == 1
    assert seconds(1_000_001) == 2


@pytest.mark.parametrize(("per_second", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_a_quota_needs_a_rate_and_a_burst(per_second: float, burst: int) -> None:
    with pytest.raises(ValueError, match="quota"):
        Quota(per_second=per_second, burst=burst)


def test_memory_stays_bounded_and_forgets_only_full_buckets_first() -> None:
    clock = FakeClock()
    memory = MemoryBuckets(max_keys=100, clock=clock)
    quota = Quota(per_second=1, burst=2)
    for n in range(1000):
        memory.take_now([Bucket(f"caller-{n}", quota)])
        clock.advance(0.001)
    assert len(memory) <= 100
    # The most recent callers are still remembered (their buckets are not full).
    assert memory.take_now([Bucket("caller-999", quota)]).remaining == 0


# ---------------------------------------------------------------- both backends, the same cases


async def test_a_burst_is_allowed_exactly(buckets: Buckets) -> None:
    key = uuid.uuid4().hex
    decisions = [await buckets.take([Bucket(key, SLOW)]) for _ in range(7)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 2
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    refused = decisions[-1]
    assert refused.limit == 5
    # One request back after one interval of 1000 s; the bucket is full after five.
    assert 999 <= seconds(refused.retry_us) <= 1000
    assert 4999 <= seconds(refused.reset_us) <= 5000


async def test_two_buckets_are_all_or_nothing(buckets: Buckets) -> None:
    """A request refused by one bucket takes nothing from the other, and the answer names the
    bucket that decided."""
    narrow = Quota(per_second=0.001, burst=2)
    address, client = f"a:{uuid.uuid4().hex}", f"c:{uuid.uuid4().hex}"
    pair = [Bucket(address, SLOW), Bucket(client, narrow)]
    results = [await buckets.take(pair) for _ in range(4)]
    assert [r.allowed for r in results] == [True, True, False, False]
    assert results[0].limit == 2  # the fuller bucket is not the one reported
    assert results[0].bucket == 1
    assert results[2].bucket == 1
    assert results[2].remaining == 0
    # The address bucket paid for the two allowed requests only: three of five are left.
    alone = await buckets.take([Bucket(address, SLOW)])
    assert alone.allowed
    assert alone.remaining == 2


async def test_callers_have_buckets_of_their_own(buckets: Buckets) -> None:
    one, other = uuid.uuid4().hex, uuid.uuid4().hex
    for _ in range(5):
        await buckets.take([Bucket(one, SLOW)])
    assert not (await buckets.take([Bucket(one, SLOW)])).allowed
    assert (await buckets.take([Bucket(other, SLOW)])).remaining == 4


async def test_a_bucket_refills_in_real_time(buckets: Buckets) -> None:
    quota = Quota(per_second=4, burst=1)
    key = uuid.uuid4().hex
    assert (await buckets.take([Bucket(key, quota)])).allowed
    refused = await buckets.take([Bucket(key, quota)])
    assert not refused.allowed
    assert 0 < refused.retry_us <= 250_000
    # Waiting longer than asked is always enough: a bucket of one holds one request at most.
    await asyncio.sleep(refused.retry_us / 1_000_000 + 0.05)
    assert (await buckets.take([Bucket(key, quota)])).allowed


async def test_concurrent_requests_never_exceed_the_burst(buckets: Buckets) -> None:
    key = uuid.uuid4().hex
    decisions = await asyncio.gather(*(buckets.take([Bucket(key, SLOW)]) for _ in range(20)))
    assert sum(d.allowed for d in decisions) == 5


# ---------------------------------------------------------------- Redis failing


async def test_while_redis_is_down_the_local_buckets_decide(
    dead_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    limit_metrics = metrics()
    fallback = MemoryBuckets()
    backend = RedisBuckets.connect(
        dead_url.replace("http://", "redis://"),
        prefix="unused:",
        timeout_seconds=0.5,
        pool_size=2,
        fallback=fallback,
        errors=limit_metrics.backend_errors,
    )
    try:
        decisions = [await backend.take([Bucket("k", SLOW)]) for _ in range(7)]
    finally:
        await backend.close()
    # Still limited (per replica), not open and not closed.
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 2
    assert len(fallback) == 1
    # Redis was asked once; the rest waited for the retry interval instead of for timeouts.
    assert limit_metrics.backend_errors._value.get() == 1


async def test_the_limiter_keys_clients_and_addresses_apart() -> None:
    limit_metrics = metrics()
    tight = Quota(per_second=0.001, burst=2)
    limiter = RateLimiter(
        MemoryBuckets(),
        RateLimitQuotas(client=tight, address=SLOW, token=Quota(per_second=0.001, burst=1)),
        limit_metrics,
    )
    assert (await limiter.request("192.0.2.1", "library-a")).allowed
    assert (await limiter.request("192.0.2.2", "library-a")).allowed
    # The same client from a third address: its own bucket is empty.
    refused = await limiter.request("192.0.2.3", "library-a")
    assert not refused.allowed
    assert refused.limit == 2
    # Anonymous from the first address: its address bucket paid once before, three are left.
    assert (await limiter.request("192.0.2.1", None)).remaining == 3
    # The token endpoint has a bucket of its own per address, and none per client id: naming a
    # client from elsewhere cannot empty the bucket its own address draws on.
    assert (await limiter.token_request("192.0.2.1")).allowed
    assert not (await limiter.token_request("192.0.2.1")).allowed
    assert (await limiter.token_request("192.0.2.9")).allowed
    refused_total: Any = limit_metrics.refused
    assert refused_total.labels("client")._value.get() == 1
    assert refused_total.labels("token")._value.get() == 1
