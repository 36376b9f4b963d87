"""The circuit breaker in front of each service: when to stop calling it, and when to try again."""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# See docs/decisions/0008-gateway-faults.md for why these values.
DEFAULT_FAILURE_THRESHOLD = 5
DEFAULT_COOL_DOWN_SECONDS = 5.0
# While the one probe is out, the others are told to come back soon: its answer takes about
# one round trip, not a whole cool-down.
PROBING_RETRY_AFTER_SECONDS = 1.0


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Closed: every request goes through, and `failure_threshold` failed exchanges in a row
    open it. Open: requests are refused at once until `cool_down_seconds` have passed. Half-open:
    one request (the probe) goes through; its success closes the breaker, its failure opens it
    for another cool-down. The others are refused while the probe is out.

    The caller reports each admitted request's outcome exactly once: `succeeded`, `failed`, or
    `abandoned` when the exchange ended for a reason that says nothing about the service (the
    caller went away), which frees the probe slot for the next request.

    Not thread-safe and not meant to be: one event loop owns it, and no method awaits.
    """

    def __init__(
        self,
        *,
        failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
        cool_down_seconds: float = DEFAULT_COOL_DOWN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if cool_down_seconds <= 0:
            raise ValueError("cool_down_seconds must be positive")
        self.failure_threshold = failure_threshold
        self.cool_down_seconds = cool_down_seconds
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._consecutive_failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._consecutive_failures

    def admit(self) -> float | None:
        """None when the request may go to the service; else the seconds the caller should wait
        before trying again (for Retry-After)."""
        if self._state is BreakerState.CLOSED:
            return None
        if self._state is BreakerState.OPEN:
            remaining = self._opened_at + self.cool_down_seconds - self._clock()
            if remaining > 0:
                return remaining
            self._state = BreakerState.HALF_OPEN
        if self._probing:
            return PROBING_RETRY_AFTER_SECONDS
        self._probing = True
        return None

    def succeeded(self) -> None:
        # A success while open comes from a request admitted before the breaker opened: the
        # cool-down still runs, and the probe decides.
        if self._state is BreakerState.OPEN:
            return
        self._state = BreakerState.CLOSED
        self._consecutive_failures = 0
        self._probing = False

    def failed(self) -> None:
        if self._state is BreakerState.OPEN:
            return
        self._consecutive_failures += 1
        if (
            self._state is BreakerState.HALF_OPEN
            or self._consecutive_failures >= self.failure_threshold
        ):
            self._state = BreakerState.OPEN
            self._opened_at = self._clock()
            self._probing = False

    def abandoned(self) -> None:
        if self._state is BreakerState.HALF_OPEN:
            self._probing = False


def retry_after_header(seconds: float) -> str:
    """Retry-After in whole seconds (RFC 9110 §10.2.3), never 0: 0 would invite a busy loop."""
    return str(max(1, math.ceil(seconds)))


class HasBreaker(Protocol):
    @property
    def breaker(self) -> CircuitBreaker: ...


class BreakerStates(Collector):
    """`gateway_upstream_breaker_state{upstream, state}`: 1 for each service's current state,
    0 for the others, read when scraped (so no metric call on the request path)."""

    def __init__(self, upstreams: Mapping[str, HasBreaker]) -> None:
        self._upstreams = upstreams

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "gateway_upstream_breaker_state",
            "Circuit breaker state per upstream service (1 for the current state)",
            labels=["upstream", "state"],
        )
        for name, upstream in self._upstreams.items():
            current = upstream.breaker.state
            for state in BreakerState:
                family.add_metric([name, state.value], 1.0 if state is current else 0.0)
        yield family
