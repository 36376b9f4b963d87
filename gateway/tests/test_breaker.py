"""The circuit breaker's state machine, on a clock the tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from gateway.breaker import (
    PROBING_RETRY_AFTER_SECONDS,
    BreakerState,
    BreakerStates,
    CircuitBreaker,
    retry_after_header,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def breaker(clock: FakeClock, threshold: int = 3, cool_down: float = 5.0) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=threshold, cool_down_seconds=cool_down, clock=clock)


def fail(subject: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        assert subject.admit() is None
        subject.failed()


def test_it_opens_after_the_threshold_of_failures_in_a_row() -> None:
    subject = breaker(FakeClock(), threshold=3)
    fail(subject, 2)
    assert subject.state is BreakerState.CLOSED
    assert subject.consecutive_failures == 2
    fail(subject, 1)
    assert subject.state is BreakerState.OPEN  # type: ignore[comparison-overlap]


def test_a_success_between_failures_starts_the_count_again() -> None:
    subject = breaker(FakeClock(), threshold=3)
    fail(subject, 2)
    assert subject.admit() is None
    subject.succeeded()
    fail(subject, 2)
    assert subject.state is BreakerState.CLOSED
    assert subject.consecutive_failures == 2


def test_while_open_it_refuses_with_the_remaining_cool_down() -> None:
    clock = FakeClock()
    subject = breaker(clock, threshold=1, cool_down=5.0)
    fail(subject, 1)
    assert subject.admit() == pytest.approx(5.0)
    clock.advance(3.5)
    assert subject.admit() == pytest.approx(1.5)
    assert subject.state is BreakerState.OPEN


def test_after_the_cool_down_one_probe_goes_through_and_the_others_wait() -> None:
    clock = FakeClock()
    subject = breaker(clock, threshold=1, cool_down=5.0)
    fail(subject, 1)
    clock.advance(5.0)
    assert subject.admit() is None
    assert subject.state is BreakerState.HALF_OPEN
    assert subject.admit() == PROBING_RETRY_AFTER_SECONDS
    assert subject.admit() == PROBING_RETRY_AFTER_SECONDS


def test_a_successful_probe_closes_it() -> None:
    clock = FakeClock()
    subject = breaker(clock, threshold=2)
    fail(subject, 2)
    clock.advance(5.0)
    assert subject.admit() is None
    subject.succeeded()
    assert subject.state is BreakerState.CLOSED
    assert subject.consecutive_failures == 0
    # Closed again means the whole threshold is needed to open it again.
    fail(subject, 1)
    assert subject.state is BreakerState.CLOSED
    assert subject.admit() is None


def test_a_failed_probe_opens_it_for_a_fresh_cool_down() -> None:
    clock = FakeClock()
    subject = breaker(clock, threshold=3, cool_down=5.0)
    fail(subject, 3)
    clock.advance(7.0)
    assert subject.admit() is None
    clock.advance(0.5)
    subject.failed()
    assert subject.state is BreakerState.OPEN
    # Counted from the probe's failure, not from the first opening.
    assert subject.admit() == pytest.approx(5.0)


def test_an_abandoned_probe_lets_the_next_request_probe() -> None:
    clock = FakeClock()
    subject = breaker(clock, threshold=1)
    fail(subject, 1)
    clock.advance(5.0)
    assert subject.admit() is None
    subject.abandoned()
    assert subject.state is BreakerState.HALF_OPEN
    assert subject.admit() is None
    assert subject.admit() == PROBING_RETRY_AFTER_SECONDS


def test_outcomes_of_requests_admitted_before_it_opened_do_not_change_it() -> None:
    clock = FakeClock()
    subject = breaker(clock, threshold=2, cool_down=5.0)
    assert subject.admit() is None  # a slow request, still out when the breaker opens
    fail(subject, 2)
    clock.advance(1.0)
    subject.succeeded()
    assert subject.state is BreakerState.OPEN
    subject.failed()
    assert subject.admit() == pytest.approx(4.0)


def test_abandoning_while_closed_changes_nothing() -> None:
    subject = breaker(FakeClock(), threshold=2)
    fail(subject, 1)
    assert subject.admit() is None
    subject.abandoned()
    assert subject.state is BreakerState.CLOSED
    assert subject.consecutive_failures == 1


@pytest.mark.parametrize(
    ("threshold", "cool_down"), [(0, 5.0), (1, 0.0), (1, -1.0)], ids=["no-failures", "zero", "neg"]
)
def test_nonsensical_parameters_are_refused(threshold: int, cool_down: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        CircuitBreaker(failure_threshold=threshold, cool_down_seconds=cool_down)


@pytest.mark.parametrize(
    ("seconds", "header"), [(0.0, "1"), (0.2, "1"), (1.0, "1"), (1.01, "2"), (4.5, "5")]
)
def test_retry_after_is_whole_seconds_never_zero(seconds: float, header: str) -> None:
    assert retry_after_header(seconds) == header


@dataclass
class _Upstream:
    breaker: CircuitBreaker


def test_the_metric_shows_each_upstreams_current_state() -> None:
    clock = FakeClock()
    failing = breaker(clock, threshold=1)
    fail(failing, 1)
    registry = CollectorRegistry()
    registry.register(
        BreakerStates({"kpi": _Upstream(breaker(clock)), "helpdesk": _Upstream(failing)})
    )
    text = generate_latest(registry).decode()
    assert 'gateway_upstream_breaker_state{state="closed",upstream="kpi"} 1.0' in text
    assert 'gateway_upstream_breaker_state{state="open",upstream="kpi"} 0.0' in text
    assert 'gateway_upstream_breaker_state{state="open",upstream="helpdesk"} 1.0' in text
    assert 'gateway_upstream_breaker_state{state="closed",upstream="helpdesk"} 0.0' in text
