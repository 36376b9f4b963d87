"""make bench's pure parts: wrk's output read, medians and same-round ratios, fixed-rate maths,
profile summaries, the scenario tables, the conditional-write script, and the open-loop
generator's latency accounting."""

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
from platform_bench.scenarios import (  # noqa: E402
    CATALOGUE_LIBRARIES,
    CONFIG_BY_NAME,
    FULL,
    QUICK,
    SCENARIO_BY_NAME,
    SCENARIOS,
    STACKS,
    path_for,
    process_for,
    service_for,
    sweep_for,
    warmup_scenarios,
)
from platform_bench.stats import (  # noqa: E402
    duration_ms,
    median,
    open_loop_rates,
    parse_statuses,
    parse_wrk,
    ratio,
    scheduled_requests,
    write_outcomes,
)

BENCH_PACKAGE = ROOT / "bench" / "platform_bench"

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


def test_the_p95_line_of_the_latency_script_is_read_when_there():
    figures = parse_wrk(WRK_OUTPUT + "latency p95: 3012.50us\n")
    assert figures["latency_ms"]["p95"] == pytest.approx(3.0125)
    assert "p95" not in parse_wrk(WRK_OUTPUT)["latency_ms"]


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


def test_statuses_line_of_a_script_is_read_and_classified():
    output = WRK_OUTPUT + "statuses: GET:200=2 PATCH:200=812 PATCH:412=3 PATCH:503=1\n"
    statuses = parse_statuses(output)
    assert statuses == {"GET:200": 2, "PATCH:200": 812, "PATCH:412": 3, "PATCH:503": 1}
    assert write_outcomes(statuses) == {
        "written": 812,
        "stale_412": 3,
        "failed": 1,
        "etag_reads": 2,
    }
    # A failed starting read counts as a failure, not as a read that gave an ETag.
    assert write_outcomes({"GET:401": 5, "PATCH:401": 5})["failed"] == 10
    assert parse_statuses("statuses: \n") == {}


def test_a_missing_or_garbled_statuses_line_is_refused():
    with pytest.raises(ValueError, match="no statuses line"):
        parse_statuses(WRK_OUTPUT)
    with pytest.raises(ValueError, match="method:status=count"):
        parse_statuses("statuses: PATCH 200=3\n")


def test_scenario_table_is_consistent():
    for scenario in SCENARIOS:
        for name in (*scenario.configs, *scenario.variant_configs):
            assert name in CONFIG_BY_NAME, (scenario.name, name)
        assert not scenario.stack or scenario.stack in STACKS
        if scenario.script is not None:
            assert (BENCH_PACKAGE / scenario.script).is_file()
            assert not scenario.fixed_rate  # the open-loop generator sends fixed requests
        conditional = any("{etag}" in v for v in scenario.headers.values())
        assert conditional == (scenario.etag_from is not None), scenario.name
    # The catalogue's 304 revalidates the answer that the warm read gets.
    warm, revalidated = SCENARIO_BY_NAME["catalogue-warm"], SCENARIO_BY_NAME["catalogue-304"]
    assert revalidated.etag_from == warm.path == revalidated.path
    assert revalidated.headers["Accept-Language"] == warm.headers["Accept-Language"]
    # The writes never rename a library whose catalogue the reads fetch with a fixed ETag.
    assert any(isil in warm.path for isil in CATALOGUE_LIBRARIES)
    assert CONFIG_BY_NAME["G"].prefix == "/catalogue"


def test_a_stack_names_its_own_copy_of_each_process():
    cold, warm = SCENARIO_BY_NAME["catalogue-cold"], SCENARIO_BY_NAME["catalogue-warm"]
    assert [process_for(CONFIG_BY_NAME[c], cold) for c in ("D", "N", "G")] == [
        "svc_cold",
        "nginx_cold",
        "gw_cold",
    ]
    assert process_for(CONFIG_BY_NAME["G"], warm) == "gw"
    assert (service_for(cold), service_for(warm)) == ("svc_cold", "svc")
    assert STACKS["cold"] == {"CATALOGUE_CACHE_ENTRIES": "0"}


def test_the_portal_is_asked_at_its_own_path_on_kpi_and_its_gateway():
    page, revalidated = SCENARIO_BY_NAME["portal-page"], SCENARIO_BY_NAME["portal-304"]
    home = SCENARIO_BY_NAME["portal-home"]
    for scenario in (page, revalidated, home):
        assert scenario.configs == ("D", "G")
        assert [process_for(CONFIG_BY_NAME[c], scenario) for c in ("D", "G")] == [
            "svc_portal",
            "gw_portal",
        ]
        assert service_for(scenario) == "svc_portal"
        # No /catalogue (nor /kpi) before it: the gateway serves the pages at kpi's paths.
        assert path_for(CONFIG_BY_NAME["G"], scenario) == scenario.path
        assert scenario.headers["Accept-Language"] == "nb"
    assert page.path == "/portal/NO/library/NO-2030000"
    assert home.path == "/portal/"
    assert revalidated.etag_from == page.path == revalidated.path
    assert revalidated.expect_status == 304
    # The catalogue's scenarios keep the gateway's route prefix; G0 its own route.
    warm = SCENARIO_BY_NAME["catalogue-warm"]
    assert path_for(CONFIG_BY_NAME["G"], warm) == "/catalogue" + warm.path
    assert path_for(CONFIG_BY_NAME["G0"], page) == "/health/live"
    assert path_for(CONFIG_BY_NAME["D"], warm) == warm.path


def test_warm_up_takes_one_read_per_stack_and_a_write_only_when_alone():
    write = SCENARIO_BY_NAME["write-if-match"]
    small, cold = SCENARIO_BY_NAME["small-read"], SCENARIO_BY_NAME["catalogue-cold"]
    assert warmup_scenarios([write, cold, small]) == [small, cold]
    assert warmup_scenarios([write]) == [write]
    assert warmup_scenarios([]) == []


def test_quick_run_keeps_the_goal_load_and_the_single_connection():
    small, listed = SCENARIO_BY_NAME["small-read"], SCENARIO_BY_NAME["list-read"]
    assert sweep_for(small, FULL) == (1, 16, 64)
    assert sweep_for(small, QUICK) == (1, 16)
    assert sweep_for(listed, FULL) == (16, 64)
    assert sweep_for(listed, QUICK) == (16,)
    assert sweep_for(SCENARIO_BY_NAME["write-if-match"], QUICK) == (1, 16)
    assert all(16 in sweep_for(s, QUICK) for s in SCENARIOS)  # every goal stays measured


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
    # One round: a figure, no verdict.
    assert goals["G/D throughput"]["reached"] is None
    assert goals["G/D throughput"]["verdict"].startswith("inconclusive: 1 round(s)")
    assert goals["G/N throughput (G within 0.8 of N's ratio)"]["value"] == pytest.approx(
        2000 / 3600
    )
    assert goals["p99 added by the gateway at 50 % of D's capacity (ms)"]["value"] == 2.5
    assert goals["G0/D throughput (gateway's own route vs direct small read)"]["reached"] is None
    opened = next(r for r in summary["rows"] if r["kind"] == "open" and r["config"] == "G")
    assert opened["added_p50_ms"] == pytest.approx(0.6)


def test_catalogue_goals_compare_with_the_small_read_of_the_same_config_and_round():
    records = [
        _closed(1, "D", 4000),
        _closed(1, "G", 2000),
        _closed(1, "D", 3800, scenario="catalogue-warm"),
        _closed(1, "G", 1700, scenario="catalogue-warm"),
        _closed(1, "G", 1900, scenario="catalogue-304"),
        # Round 2 is slow for everything: its ratios are what they are.
        _closed(2, "D", 2000),
        _closed(2, "G", 1000),
        _closed(2, "D", 1900, scenario="catalogue-warm"),
        _closed(2, "G", 900, scenario="catalogue-warm"),
        _closed(2, "G", 800, scenario="catalogue-304"),
    ]
    summary = report.summarise(records)
    goals = {g["goal"].split(" throughput")[0]: g for g in summary["goals"]}
    warm = goals["G warm catalogue / G small read"]
    assert warm["value"] == pytest.approx((0.85 + 0.9) / 2)
    assert (warm["reached"], warm["rounds"]) == (None, 2)
    revalidated = goals["G catalogue 304 / G small read"]
    assert revalidated["value"] == pytest.approx((0.95 + 0.8) / 2)
    assert revalidated["verdict"] == "inconclusive: 2 round(s), a verdict needs 3"
    assert summary["catalogue"]["catalogue-warm"] == {
        "D": pytest.approx(0.95),
        "G": pytest.approx((0.85 + 0.9) / 2),
    }
    assert "catalogue-cold" not in summary["catalogue"]
    assert "G warm catalogue / G small read throughput" in report.render(_result(summary))


def _with_p95(record, p95):
    record["latency_ms"]["p95"] = p95
    return record


def test_portal_goals_are_gs_p95_at_16_connections_over_rounds():
    records = []
    for round_, g95 in ((1, 30.0), (2, 62.0), (3, 41.0)):
        records += [
            _closed(round_, "D", 4000),
            _closed(round_, "G", 2000),
            _with_p95(_closed(round_, "D", 900, scenario="portal-page"), 5.0),
            _with_p95(_closed(round_, "G", 700, scenario="portal-page"), g95),
            # One connection and D are shown, not judged.
            _with_p95(_closed(round_, "G", 90, scenario="portal-page", connections=1), 99.0),
            _with_p95(_closed(round_, "G", 800, scenario="portal-304"), 3.0),
        ]
    summary = report.summarise(records)
    goals = {g["goal"]: g for g in summary["goals"]}
    page = goals["G portal library page p95 (ms), warm, 16 connections"]
    assert (page["value"], page["target"], page["verdict"]) == (41.0, "<= 50.0", "reached")
    home = goals["G portal home p95 (ms), warm, 16 connections"]
    assert home["verdict"] == "not measured"
    assert not any("portal-304" in g["goal"] or "304 p95" in g["goal"] for g in summary["goals"])
    row = next(
        r
        for r in summary["rows"]
        if (r["scenario"], r["config"], r["load"]) == ("portal-page", "G", 16.0)
    )
    assert row["p95_ms"] == 41.0
    result = _result(summary)
    result["portal"] = {
        "page": {
            "path": "/portal/NO/library/NO-2030000",
            "bytes": 20480,
            "gzip_bytes": 4096,
            "cache_control": "public, max-age=300",
            "vary": "Accept-Language, Cookie",
            "etag": '"abc"',
        }
    }
    text = report.render(result)
    assert "Data portal" in text
    assert "20,480 bytes (4,096 sent gzipped)" in text
    assert "G portal library page p95 (ms), warm, 16 connections" in text


def test_write_outcomes_are_summed_over_rounds():
    records = []
    for round_, stale in ((1, 0), (2, 3)):
        record = _closed(round_, "G", 300, scenario="write-if-match", connections=1)
        record["writes"] = {"written": 600, "stale_412": stale, "failed": 0, "etag_reads": 1}
        records.append(record)
    row = report.summarise(records)["rows"][0]
    assert row["writes"] == {"written": 1200, "stale_412": 3, "failed": 0, "etag_reads": 2}


def _result(summary):
    return {
        "summary": summary,
        "git": {"short": "abc1234", "dirty": False},
        "loads": {"rounds": 2, "seconds": 2},
        "machine": {"cores": 2},
        "settings": {},
    }


def test_a_goal_without_figures_is_not_measured():
    summary = report.summarise([_closed(1, "D", 4000)])
    assert all(g["reached"] is None for g in summary["goals"])
    assert {g["verdict"] for g in summary["goals"]} == {"not measured"}


def test_verdicts_come_from_three_rounds_and_never_flatter_a_difference():
    records = []
    # G's ratio to D: 0.55, 0.7, 0.65 -> median 0.65, reached (>= 0.6); N: 0.5 every round.
    for round_, g in ((1, 2200), (2, 2800), (3, 2600)):
        records += [_closed(round_, "D", 4000), _closed(round_, "G", g)]
        records.append(_closed(round_, "N", 2000))
    # p99 added: -42 ms in one round (D's own tail), small in the others.
    for round_, d99, g99 in ((1, 59.8, 17.5), (2, 1.5, 2.5), (3, 1.6, 2.7)):
        records += [_open(round_, "D", 0.5, d99), _open(round_, "G", 0.5, g99)]
    goals = {g["goal"].split(",")[0]: g for g in report.summarise(records)["goals"]}
    assert goals["G/D throughput"]["verdict"] == "reached"
    assert goals["G/D throughput"]["value"] == pytest.approx(0.65)
    added = goals["p99 added by the gateway at 50 % of D's capacity (ms)"]
    # Median +1.0 ms, but the rounds spread over 43 ms: no verdict, least of all "reached".
    assert added["value"] == pytest.approx(1.0)
    assert added["reached"] is None
    assert added["verdict"].startswith("inconclusive: within the rounds' spread")
    # A negative median is never a success either.
    negative = report.judge([-42.3, -1.0, 0.5], "<=", 2.0, difference=True)
    assert negative["verdict"].startswith("inconclusive: negative")
    # A difference clearly above its spread is judged.
    assert report.judge([5.0, 5.5, 6.0], "<=", 2.0, difference=True)["verdict"] == "MISSED"


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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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


class _VersionedServer:
    """A resource per path with a version: GET answers its ETag, a PATCH with `If-Match` of the
    current ETag and the expected token bumps it (200, the new ETag), a stale one gets 412 with
    the current ETag, one without the token 401. One thread per keep-alive connection."""

    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

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
                while b"\r\n\r\n" not in buffer:
                    try:
                        data = conn.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                lines = head.decode().split("\r\n")
                method, path, _ = lines[0].split(" ")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, v in (line.split(":", 1) for line in lines[1:])
                }
                length = int(headers.get("content-length", "0"))
                while len(buffer) < length:
                    buffer += conn.recv(65536)
                buffer = buffer[length:]
                conn.sendall(self._respond(method, path, headers))

    def _respond(self, method: str, path: str, headers: dict[str, str]) -> bytes:
        with self.lock:
            version = self.versions.setdefault(path, 1)
            status = 200
            if method == "PATCH":
                if headers.get("authorization") != "Bearer t0ken":
                    status = 401
                elif headers.get("if-match") != f'"{version}"':
                    status = 412
                else:
                    version = self.versions[path] = version + 1
        etag = "" if status == 401 else f'ETag: "{version}"\r\n'
        return f"HTTP/1.1 {status} X\r\n{etag}Content-Length: 0\r\n\r\n".encode()

    def close(self) -> None:
        self.listener.close()


def test_latency_script_prints_the_p95_and_keeps_the_static_request():
    wrk = shutil.which("wrk")
    if wrk is None:
        pytest.skip("wrk is not installed (make bench installs it)")
    server = _SlowServer(delay=0.002)
    try:
        script = str(BENCH_PACKAGE / "latency.lua")
        done = subprocess.run(
            [wrk, "-t1", "-c2", "-d1s", "--latency", "-s", script, f"{server.url}/x"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    finally:
        server.close()
    latency = parse_wrk(done.stdout)["latency_ms"]
    assert latency["p90"] <= latency["p95"] <= latency["p99"]
    assert latency["p95"] >= 2.0  # the server's own delay


def test_write_script_chains_etags_per_connection_and_keeps_the_token():
    wrk = shutil.which("wrk")
    if wrk is None:
        pytest.skip("wrk is not installed (make bench installs it)")
    server = _VersionedServer()
    try:
        done = subprocess.run(
            [
                wrk,
                "-t2",
                "-c2",
                "-d1s",
                "-H",
                "Authorization: Bearer t0ken",
                "-s",
                str(BENCH_PACKAGE / "if_match_write.lua"),
                f"http://127.0.0.1:{server.port}/v1/libraries/",
                "--",
                "run1",
                "NO-1",
                "NO-2",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    finally:
        server.close()
    outcomes = write_outcomes(parse_statuses(done.stdout))
    # Each connection read its own library once, then every PATCH carried the latest ETag.
    assert outcomes["etag_reads"] == 2
    assert outcomes["written"] > 10
    assert outcomes["stale_412"] == outcomes["failed"] == 0
    assert set(server.versions) == {"/v1/libraries/NO-1", "/v1/libraries/NO-2"}
    # wrk may stop with one PATCH per connection applied but its answer unread.
    applied = sum(server.versions.values()) - 2
    assert outcomes["written"] <= applied <= outcomes["written"] + 2


def test_the_checks_ask_as_wrk_does_so_a_gzipped_answer_is_not_taken_for_the_timed_one():
    from platform_bench.runner import as_wrk_asks

    assert as_wrk_asks({"Accept-Language": "nb"}) == {
        "Accept-Language": "nb",
        "Accept-Encoding": "identity",
    }
    chromium = {"accept-encoding": "gzip, deflate, br, zstd"}
    assert as_wrk_asks(chromium) == chromium
