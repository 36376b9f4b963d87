"""make bench's pure parts: wrk's output read, medians and same-round ratios, fixed-rate maths,
profile summaries, and the open-loop generator's latency accounting."""

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from platform_bench import report  # noqa: E402
from platform_bench.stats import (  # noqa: E402
    duration_ms,
    median,
    open_loop_rates,
    parse_wrk,
    ratio,
    scheduled_requests,
)

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:41234/v1/me
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.61ms    1.02ms  31.20ms   91.32%
    Req/Sec     3.10k   210.44     3.52k    72.00%
  Latency Distribution
     50%    2.40ms
     75%  812.00us
     90%    3.51ms
     99%    1.20s
  30871 requests in 5.00s, 9.15MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   6171.41
Transfer/sec:      1.83MB
"""


def test_wrk_output_is_read_with_units_and_errors():
    figures = parse_wrk(WRK_OUTPUT)
    assert figures["rps"] == pytest.approx(6171.41)
    assert figures["requests"] == 30871
    assert figures["latency_ms"] == pytest.approx(
        {"p50": 2.4, "p75": 0.812, "p90": 3.51, "p99": 1200.0, "max": 31.2}
    )
    assert figures["errors"] == {
        "non_2xx_3xx": 7,
        "connect": 0,
        "read": 2,
        "write": 0,
        "timeout": 3,
    }


def test_clean_wrk_output_has_zero_errors_and_a_missing_summary_is_refused():
    clean = WRK_OUTPUT.replace("  Socket errors: connect 0, read 2, write 0, timeout 3\n", "")
    clean = clean.replace("  Non-2xx or 3xx responses: 7\n", "")
    assert sum(parse_wrk(clean)["errors"].values()) == 0
    with pytest.raises(ValueError, match="no wrk summary"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")
    with pytest.raises(ValueError, match="--latency"):
        parse_wrk(WRK_OUTPUT.replace("     99%    1.20s\n", ""))


@pytest.mark.parametrize(
    ("text", "ms"), [("950.00us", 0.95), ("1.5ms", 1.5), ("2.00s", 2000.0), ("1.00m", 60000.0)]
)
def test_wrk_durations(text, ms):
    assert duration_ms(text) == pytest.approx(ms)


def test_median_skips_missing_figures_and_ratio_needs_a_base():
    assert median([3.0, None, 1.0, 100.0]) == 3.0
    assert median([None]) is None
    assert ratio(5.0, 0.0) is None
    assert ratio(None, 2.0) is None
    assert ratio(3.0, 2.0) == 1.5


def test_fixed_rates_are_fractions_of_the_rounds_capacity():
    assert open_loop_rates(4119.7, (0.5, 0.8)) == {0.5: 2059.0, 0.8: 3295.0}
    assert open_loop_rates(1.0, (0.5,)) == {0.5: 1.0}
    assert scheduled_requests(2059.0, 5) == 10295
    with pytest.raises(ValueError, match="positive"):
        open_loop_rates(0.0, (0.5,))


def _closed(round_, config, rps, p99=1.0, scenario="small-read", connections=16):
    return {
        "round": round_,
        "kind": "closed",
        "scenario": scenario,
        "config": config,
        "connections": connections,
        "fraction": None,
        "rps": rps,
        "latency_ms": {"p50": p99 / 2, "p99": p99, "max": p99 * 2},
        "errors": {"non_2xx_3xx": 0, "read": 0},
        "client_cpu_share": 0.1,
    }


def _open(round_, config, p50, p99, fraction=0.5):
    return {
        "round": round_,
        "kind": "open",
        "scenario": "small-read",
        "config": config,
        "connections": 64,
        "fraction": fraction,
        "rate": 1000.0,
        "rps": 1000.0,
        "latency_ms": {"p50": p50, "p99": p99, "max": p99},
        "errors": {"read": 0},
        "client_cpu_share": 0.05,
    }


def test_ratios_are_taken_within_a_round_then_the_median_over_rounds():
    # Round 2 is slow for everything: the ratio of that round stays what it is.
    records = [
        _closed(1, "D", 6000),
        _closed(1, "G", 3000),
        _closed(2, "D", 3000),
        _closed(2, "G", 2100),
        _closed(3, "D", 6000),
        _closed(3, "G", 4800),
    ]
    rows = {r["config"]: r for r in report.summarise(records)["rows"]}
    assert rows["G"]["ratio_to_D"] == pytest.approx(0.7)  # median of 0.5, 0.7, 0.8
    assert rows["G"]["rps"] == 3000
    assert rows["D"]["ratio_to_D"] == 1.0


def test_own_route_compares_with_the_direct_small_read_and_goals_are_judged():
    records = [
        _closed(1, "D", 4000),
        _closed(1, "N", 3600),
        _closed(1, "G", 2000),
        _closed(1, "G0", 7000),
        _open(1, "D", 0.4, 1.5),
        _open(1, "G", 1.0, 4.0),
    ]
    summary = report.summarise(records)
    goals = {g["goal"].split(",")[0]: g for g in summary["goals"]}
    assert goals["G/D throughput"]["value"] == pytest.approx(0.5)
    assert goals["G/D throughput"]["reached"] is False
    assert goals["G/N throughput (G within 0.8 of N's ratio)"]["value"] == pytest.approx(
        2000 / 3600
    )
    assert goals["p99 added by the gateway at 50 % of D's capacity (ms)"]["value"] == 2.5
    assert goals["G0/D throughput (gateway's own route vs direct small read)"]["reached"] is True
    opened = next(r for r in summary["rows"] if r["kind"] == "open" and r["config"] == "G")
    assert opened["added_p50_ms"] == pytest.approx(0.6)


def test_a_goal_without_figures_is_not_measured():
    summary = report.summarise([_closed(1, "D", 4000)])
    assert all(g["reached"] is None for g in summary["goals"])


def test_profile_summary_shares_own_time_by_file(tmp_path):
    raw = tmp_path / "profile.txt"
    raw.write_text(
        "process 1:MainThread;run (uvicorn/main.py:10);__call__ (/w/gateway/src/gateway/proxy.py:200) 6\n"
        "process 1:MainThread;run (uvicorn/main.py:10);verify (/v/lib/python3.11/site-packages/jwt/api.py:5) 3\n"
        "process 1:MainThread;run (uvicorn/main.py:12) 1\n"
    )
    summary = report.profile_summary(raw)
    assert summary["self_by_file"][0] == ("gateway/proxy.py", 0.6)
    assert ("jwt/api.py", 0.3) in summary["self_by_file"]
    assert ("run (uvicorn/main.py)", 1.0) in summary["inclusive"]


class _SlowServer:
    """Keep-alive HTTP/1.1 on loopback that answers each request after `delay` seconds, one
    connection at a time: a server whose capacity is 1/delay requests a second."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        buffer = b""
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:
                    _, buffer = buffer.split(b"\r\n\r\n", 1)
                    time.sleep(self.delay)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(scope="module")
def openloop(tmp_path_factory):
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler on this machine: the open-loop generator cannot be built")
    binary = tmp_path_factory.mktemp("openloop") / "openloop"
    subprocess.run(
        [compiler, "-O2", "-o", str(binary), str(ROOT / "bench" / "openloop.c")], check=True
    )
    return binary


def _generate(binary, port, rate, seconds, connections):
    done = subprocess.run(
        [
            str(binary),
            "-p",
            str(port),
            "-r",
            str(rate),
            "-d",
            str(seconds),
            "-c",
            str(connections),
            "/",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def test_open_loop_counts_waiting_from_the_intended_send_time(openloop):
    # 100 requests a second against a server that manages 50 on the one connection: a closed-loop
    # client would report ~20 ms per request; the queue behind the server is what users see.
    server = _SlowServer(delay=0.02)
    try:
        result = _generate(openloop, server.port, rate=100, seconds=1, connections=1)
    finally:
        server.close()
    assert result["scheduled"] == 100
    assert result["completed"] == 100
    assert result["status"]["2xx"] == 100
    assert result["max_backlog"] > 10
    assert result["latency_us"]["p99"] > 500_000  # the last ones waited about a second
    assert result["latency_us"]["p50"] > 100_000


def test_open_loop_below_capacity_measures_the_service_time(openloop):
    server = _SlowServer(delay=0.01)
    try:
        result = _generate(openloop, server.port, rate=20, seconds=1, connections=4)
    finally:
        server.close()
    assert result["completed"] == 20
    assert sum(result["errors"].values()) == 0
    assert 10_000 <= result["latency_us"]["p50"] < 60_000
    assert result["cpu_s"] < result["wall_s"]
