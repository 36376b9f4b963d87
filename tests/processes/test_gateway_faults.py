"""A real gateway process in front of real services that fail: killed, slow, cut off mid-answer.

Each route prefix has a stand-in service of its own (fault_upstreams.py), so each has its own
connection pool and breaker, and one test's failures never open another's breaker:
kpi is steady, helpdesk is slow, catalogue breaks its answers, training gets killed.
"""

import asyncio
import time

import httpx
import pytest
from fault_upstreams import PROMISED_BODY_BYTES, FaultGateway, FaultUpstream

pytestmark = pytest.mark.processes

READ_TIMEOUT_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 2.0
BREAKER_FAILURES = 3
# Long enough that restarting a killed service fits inside it with room to spare.
COOL_DOWN_SECONDS = 4.0


@pytest.fixture(scope="module")
def upstreams():
    started = {name: FaultUpstream() for name in ("kpi", "helpdesk", "catalogue", "training")}
    try:
        for upstream in started.values():
            upstream.start()
        yield started
    finally:
        for upstream in started.values():
            upstream.stop()


@pytest.fixture(scope="module")
def gateway(upstreams, tmp_path_factory):
    gateway = FaultGateway(
        tmp_path_factory.mktemp("gateway-faults"),
        {name: upstream.url for name, upstream in upstreams.items()},
        UPSTREAM_READ_TIMEOUT_SECONDS=str(READ_TIMEOUT_SECONDS),
        UPSTREAM_CONNECT_TIMEOUT_SECONDS=str(CONNECT_TIMEOUT_SECONDS),
        UPSTREAM_BREAKER_FAILURES=str(BREAKER_FAILURES),
        UPSTREAM_BREAKER_COOL_DOWN_SECONDS=str(COOL_DOWN_SECONDS),
    )
    try:
        gateway.start()
        yield gateway
    finally:
        gateway.stop()


@pytest.fixture
def http(gateway):
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        yield client


def assert_problem(response, status, slug):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(f":{slug}")


def read_raw(response, into):
    for chunk in response.iter_raw():
        into += chunk


def breaker_of(http, name):
    return http.get("/health").json()["upstreams"][name]["breaker"]


def test_a_killed_service_answers_503_at_once_and_its_breaker_then_fails_fast(http, upstreams):
    training = upstreams["training"]
    assert http.get("/training/v1/courses").status_code == 200
    training.kill()

    started = time.perf_counter()
    first = http.get("/training/v1/courses")
    first_elapsed = time.perf_counter() - started
    assert_problem(first, 503, "upstream-unavailable")
    assert int(first.headers["retry-after"]) >= 1
    # Refused on loopback: far within the connect timeout, not after it.
    assert first_elapsed < 1.0, first_elapsed

    for _ in range(BREAKER_FAILURES - 1):
        assert_problem(http.get("/training/v1/courses"), 503, "upstream-unavailable")
    assert breaker_of(http, "training") == "open"
    started = time.perf_counter()
    failing_fast = http.get("/training/v1/courses")
    fast_elapsed = time.perf_counter() - started
    assert_problem(failing_fast, 503, "upstream-unavailable")
    assert "stops calling" in failing_fast.json()["detail"]
    assert 1 <= int(failing_fast.headers["retry-after"]) <= COOL_DOWN_SECONDS

    health = http.get("/health")
    assert_problem(health, 503, "upstream-unavailable")
    assert health.json()["detail"] == "Not ready: training"
    assert http.get("/kpi/v1/events").status_code == 200

    # Back on its port, but the open breaker does not call it until the cool-down is over.
    training.start()
    held_back = http.get("/training/v1/courses")
    assert_problem(held_back, 503, "upstream-unavailable")
    time.sleep(int(held_back.headers["retry-after"]) + 0.2)
    probe = http.get("/training/v1/courses")
    assert probe.status_code == 200, probe.text
    assert breaker_of(http, "training") == "closed"
    print(
        f"\n503 for a killed service after {first_elapsed * 1000:.1f} ms; "
        f"with the breaker open after {fast_elapsed * 1000:.1f} ms"
    )


async def test_a_slow_service_answers_504_while_another_keeps_its_latency(gateway):
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as client:

        async def slow_request():
            started = time.perf_counter()
            response = await client.get("/helpdesk/v1/slow", params={"seconds": "5"})
            return response, time.perf_counter() - started

        async def steady_latencies():
            await asyncio.sleep(0.1)  # the slow requests are out by now
            latencies = []
            for _ in range(10):
                started = time.perf_counter()
                response = await client.get("/kpi/v1/events")
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200
                await asyncio.sleep(0.05)
            return latencies

        # Two slow requests, fewer than the breaker's threshold: this test is about timeouts.
        *slow, latencies = await asyncio.gather(slow_request(), slow_request(), steady_latencies())
    for response, elapsed in slow:
        assert_problem(response, 504, "upstream-timeout")
        # At the read timeout: not before it, and not at the service's own 5 s.
        assert READ_TIMEOUT_SECONDS * 0.9 <= elapsed < READ_TIMEOUT_SECONDS + 1.5, elapsed
    assert max(latencies) < 1.0, latencies
    print(
        f"\n504 after {max(e for _, e in slow) * 1000:.0f} ms (read timeout "
        f"{READ_TIMEOUT_SECONDS:g} s); steady route meanwhile: max "
        f"{max(latencies) * 1000:.1f} ms over {len(latencies)} requests"
    )


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_an_answer_cut_mid_body_never_reaches_the_caller_as_complete(http, framing):
    # A success first: it resets the breaker's count, so failures of other tests on this
    # service never add up to an open breaker here.
    assert http.get("/catalogue/v1/ok").status_code == 200
    received = bytearray()
    with http.stream("GET", "/catalogue/v1/cut-mid-body", params={"framing": framing}) as response:
        # The status line and the first part went out before the service broke off.
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            read_raw(response, into=received)
    assert 0 < len(received) < PROMISED_BODY_BYTES


def test_an_answer_cut_before_its_body_is_a_502(http):
    assert http.get("/catalogue/v1/ok").status_code == 200
    assert_problem(http.get("/catalogue/v1/cut-before-body"), 502, "upstream-broken")


def test_an_answer_that_is_not_http_is_a_502(http):
    assert http.get("/catalogue/v1/ok").status_code == 200
    assert_problem(http.get("/catalogue/v1/garbage"), 502, "upstream-broken")
