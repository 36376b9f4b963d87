"""Rate limits at the gateway: token buckets per client and per address, in memory or in Redis."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import structlog
from prometheus_client import CollectorRegistry, Counter
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from gateway.settings import GatewaySettings

log = structlog.get_logger("gateway.ratelimit")

MICROSECONDS = 1_000_000
# While Redis fails, requests use the local buckets for this long before Redis is tried again,
# so an outage costs one timeout per replica and second, not one per request.
REDIS_RETRY_SECONDS = 1.0
# Memory backend: how many writes between sweeps of full buckets (a full bucket and a missing
# one are the same thing, so sweeping them changes no decision).
SWEEP_EVERY = 4096


@dataclass(frozen=True, slots=True)
class Quota:
    """A bucket's shape: `burst` requests at once, refilled at `per_second`."""

    per_second: float
    burst: int
    # GCRA works on the time one request "costs"; whole microseconds keep the arithmetic exact
    # and identical in Python and in Redis' Lua (doubles hold integers up to 2**53 exactly).
    interval_us: int = field(init=False)

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a quota needs a positive rate and a burst of at least 1")
        object.__setattr__(self, "interval_us", max(1, round(MICROSECONDS / self.per_second)))


class Decision(NamedTuple):
    """The answer for one request, with what the RateLimit headers say about the deciding bucket."""

    allowed: bool
    limit: int
    remaining: int
    # Microseconds until the deciding bucket is full again.
    reset_us: int
    # Microseconds until a request would be allowed; 0 when this one is.
    retry_us: int
    # Position of the deciding bucket in the request's list.
    bucket: int = 0


class Bucket(NamedTuple):
    key: str
    quota: Quota


class Buckets(Protocol):
    """Where bucket state lives. `take` spends one request from every bucket, or from none."""

    async def take(self, buckets: Sequence[Bucket]) -> Decision: ...

    async def close(self) -> None: ...


def gcra_step(tat: int, now: int, quota: Quota, index: int = 0) -> tuple[int, Decision]:
    """One request against one bucket (GCRA, the token bucket kept as one number: the time at
    which the bucket is full again). Returns the new time and the decision; when refused, the
    time is unchanged."""
    base = tat if tat > now else now
    new_tat = base + quota.interval_us
    allow_at = new_tat - quota.burst * quota.interval_us
    if allow_at > now:
        return base, Decision(False, quota.burst, 0, base - now, allow_at - now, index)
    remaining = (now - allow_at) // quota.interval_us
    return new_tat, Decision(True, quota.burst, remaining, new_tat - now, 0, index)


def deciding(current: Decision | None, candidate: Decision) -> Decision:
    """Which bucket the answer reports: a refusing one (the longest wait) over allowing ones,
    else the one with the fewest requests left. Lua script below applies the same rule."""
    if current is None:
        return candidate
    if current.allowed != candidate.allowed:
        return current if not current.allowed else candidate
    if not candidate.allowed:
        return candidate if candidate.retry_us > current.retry_us else current
    return candidate if candidate.remaining < current.remaining else current


def monotonic_us() -> int:
    return time.monotonic_ns() // 1000


class MemoryBuckets:
    """Buckets of one process: exact for one replica, and the fallback while Redis is down."""

    def __init__(self, *, max_keys: int = 100_000, clock: Callable[[], int] = monotonic_us) -> None:
        self._tats: dict[str, int] = {}
        self._max_keys = max_keys
        self._clock = clock
        self._writes = 0

    def __len__(self) -> int:
        return len(self._tats)

    def take_now(self, buckets: Sequence[Bucket]) -> Decision:
        now = self._clock()
        decision: Decision | None = None
        new_tats: list[int] = []
        for index, bucket in enumerate(buckets):
            new_tat, step = gcra_step(self._tats.get(bucket.key, now), now, bucket.quota, index)
            new_tats.append(new_tat)
            decision = deciding(decision, step)
        if decision is None:
            raise ValueError("a request draws from at least one bucket")
        if decision.allowed:
            for bucket, new_tat in zip(buckets, new_tats, strict=True):
                self._tats[bucket.key] = new_tat
            self._writes += 1
            if self._writes >= SWEEP_EVERY or len(self._tats) > self._max_keys:
                self._sweep(now)
        return decision

    async def take(self, buckets: Sequence[Bucket]) -> Decision:
        return self.take_now(buckets)

    async def close(self) -> None:
        self._tats.clear()

    def _sweep(self, now: int) -> None:
        self._writes = 0
        self._tats = {key: tat for key, tat in self._tats.items() if tat > now}
        # Many callers at once (a scan from many addresses) are bounded too: the oldest buckets
        # go first, which at worst gives those callers a fresh burst.
        excess = len(self._tats) - self._max_keys
        if excess > 0:
            for key in list(self._tats)[:excess]:
                del self._tats[key]


# GCRA for up to two buckets, all or nothing, on the Redis server's own clock: replicas whose
# clocks disagree still share one timeline. Mirrors gcra_step and deciding above.
# KEYS[i]: a bucket; ARGV[2i-1]: its interval in microseconds; ARGV[2i]: its burst.
# Returns {allowed, limit, remaining, reset_us, retry_us, index} of the deciding bucket (index
# from 0, as in Python).
GCRA_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local allowed, limit, remaining, reset, retry, index = 1, 0, -1, 0, 0, 0
local new_tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - burst * interval
  if allow_at > now then
    if allowed == 1 or allow_at - now > retry then
      limit, remaining, reset, retry, index = burst, 0, tat - now, allow_at - now, i - 1
    end
    allowed = 0
  elseif allowed == 1 then
    local left = math.floor((now - allow_at) / interval)
    if remaining < 0 or left < remaining then
      limit, remaining, reset, index = burst, left, new_tat - now, i - 1
    end
  end
  new_tats[i] = new_tat
end
if allowed == 1 then
  for i, key in ipairs(KEYS) do
    local ttl_ms = math.ceil((new_tats[i] - now) / 1000) + 1
    redis.call('SET', key, string.format('%.0f', new_tats[i]), 'PX', ttl_ms)
  end
end
return {allowed, limit, remaining, reset, retry, index}
"""


class RedisBuckets:
    """Buckets shared by every replica: one script call (one round trip) per request.

    While Redis fails, the local buckets decide (see docs/decisions/0009): each replica then
    limits on its own, so the platform admits at most replicas x the limit, instead of no limit
    at all (failing open) or no traffic at all (failing closed).
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str,
        fallback: MemoryBuckets,
        errors: Counter,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._script = client.register_script(GCRA_SCRIPT)
        self._prefix = prefix
        self._fallback = fallback
        self._errors = errors
        self._clock = clock
        self._down_until = 0.0
        self._down = False

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        prefix: str,
        timeout_seconds: float,
        pool_size: int,
        fallback: MemoryBuckets,
        errors: Counter,
    ) -> RedisBuckets:
        """A client that gives up quickly: a slow Redis must not become a slow gateway. No retries
        inside redis-py (the local buckets are the retry), a bounded pool that waits at most the
        timeout for a free connection."""
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=timeout_seconds,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(Redis(connection_pool=pool), prefix=prefix, fallback=fallback, errors=errors)

    async def take(self, buckets: Sequence[Bucket]) -> Decision:
        if self._down and self._clock() < self._down_until:
            return self._fallback.take_now(buckets)
        args: list[int] = []
        for bucket in buckets:
            args += (bucket.quota.interval_us, bucket.quota.burst)
        try:
            result = await self._script(
                keys=[self._prefix + bucket.key for bucket in buckets], args=args
            )
        except (RedisError, OSError, TimeoutError) as exc:
            self._errors.inc()
            if not self._down:
                log.warning(
                    "rate_limit_redis_unavailable",
                    reason=f"{type(exc).__name__}: {exc}",
                    fallback="per-replica buckets",
                )
            self._down = True
            self._down_until = self._clock() + REDIS_RETRY_SECONDS
            return self._fallback.take_now(buckets)
        if self._down:
            self._down = False
            log.info("rate_limit_redis_recovered")
        allowed, limit, remaining, reset_us, retry_us, index = (int(value) for value in result)
        return Decision(allowed == 1, limit, remaining, reset_us, retry_us, index)

    async def close(self) -> None:
        await self._client.aclose()
        await self._client.connection_pool.disconnect()


@dataclass(frozen=True)
class RateLimitQuotas:
    """The quotas of the three kinds of bucket."""

    client: Quota
    address: Quota
    token: Quota


class RateLimitMetrics:
    """The limiter's counters, made once per application (a registry per app keeps tests apart)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.refused = Counter(
            "gateway_rate_limited_total",
            "Requests refused with 429, by the kind of bucket that was empty",
            ["kind"],
            registry=registry,
        )
        self.backend_errors = Counter(
            "gateway_rate_limit_backend_errors_total",
            "Rate-limit decisions that Redis could not make; the replica's own buckets made them",
            registry=registry,
        )


class RateLimiter:
    """Which buckets a request draws from: its address always, its verified client as well; the
    token endpoint has stricter buckets of its own, by address and by the client id tried."""

    def __init__(self, backend: Buckets, quotas: RateLimitQuotas, metrics: RateLimitMetrics):
        self.backend = backend
        self.quotas = quotas
        self._refused = metrics.refused

    async def request(self, address: str, client: str | None) -> Decision:
        quotas = self.quotas
        if client is None:
            decision = await self.backend.take((Bucket("a:" + address, quotas.address),))
        else:
            decision = await self.backend.take(
                (Bucket("a:" + address, quotas.address), Bucket("c:" + client, quotas.client))
            )
        if not decision.allowed:
            self._refused.labels("client" if decision.bucket == 1 else "address").inc()
        return decision

    async def token_request(self, address: str) -> Decision:
        """Guessing a client's secret: limited per address. Not per client id: ids are not
        secret (they appear as the audit's actor), and a bucket anyone can empty by naming the
        id would lock the real client out; the secrets' cost is bounded by the checker
        (clients.SecretChecker) and their 256 bits are not guessed at any rate."""
        decision = await self.backend.take((Bucket("ta:" + address, self.quotas.token),))
        if not decision.allowed:
            self._refused.labels("token").inc()
        return decision

    async def close(self) -> None:
        await self.backend.close()


def open_rate_limiter(settings: GatewaySettings, metrics: RateLimitMetrics) -> RateLimiter | None:
    """The limiter the settings ask for: None when disabled, Redis-backed when a URL is set."""
    if not settings.rate_limit_enabled:
        return None
    quotas = RateLimitQuotas(
        client=Quota(settings.rate_limit_client_per_second, settings.rate_limit_client_burst),
        address=Quota(settings.rate_limit_address_per_second, settings.rate_limit_address_burst),
        token=Quota(settings.rate_limit_auth_per_second, settings.rate_limit_auth_burst),
    )
    memory = MemoryBuckets()
    url = settings.redis_url.get_secret_value()
    backend: Buckets = memory
    if url:
        backend = RedisBuckets.connect(
            url,
            prefix=settings.redis_key_prefix,
            timeout_seconds=settings.redis_timeout_seconds,
            pool_size=settings.redis_pool_size,
            fallback=memory,
            errors=metrics.backend_errors,
        )
    return RateLimiter(backend, quotas, metrics)


def seconds(microseconds: int) -> int:
    """Whole seconds for a header, rounded up: a client that waits this long is not refused."""
    return -(-microseconds // MICROSECONDS)
