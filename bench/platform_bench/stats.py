"""The harness's arithmetic: wrk's output read, medians over rounds, ratios to the direct call."""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m|h)$")
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.000)?%\s+(\S+)\s*$", re.MULTILINE)
# Printed by latency.lua, the script of every run that has none of its own.
_P95 = re.compile(r"^latency p95: (\S+)$", re.MULTILINE)
_THREAD_LATENCY = re.compile(r"^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+\w+),", re.MULTILINE)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.MULTILINE)
_STATUSES = re.compile(r"^statuses:(.*)$", re.MULTILINE)
_STATUS = re.compile(r"^([A-Z?]+):(\d{3})=(\d+)$")
_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)


def duration_ms(text: str) -> float:
    """wrk's human durations (`812.00us`, `1.20ms`, `2.01s`) in milliseconds."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """The figures of one `wrk --latency` run; raises ValueError when the output has none. The
    p95 is there when the run printed it (latency.lua)."""
    rps = _RPS.search(output)
    total = _TOTAL.search(output)
    if rps is None or total is None:
        raise ValueError(f"no wrk summary in output: {output[-500:]!r}")
    percentiles = {f"p{p}": duration_ms(v) for p, v in _PERCENTILE.findall(output)}
    if set(percentiles) != {"p50", "p75", "p90", "p99"}:
        raise ValueError("wrk output lacks the latency distribution (run it with --latency)")
    if p95 := _P95.search(output):
        percentiles["p95"] = duration_ms(p95.group(1))
    if thread := _THREAD_LATENCY.search(output):
        percentiles["max"] = duration_ms(thread.group(3))
    socket = _SOCKET.search(output)
    non_2xx = _NON_2XX.search(output)
    errors = {
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        "connect": int(socket.group(1)) if socket else 0,
        "read": int(socket.group(2)) if socket else 0,
        "write": int(socket.group(3)) if socket else 0,
        "timeout": int(socket.group(4)) if socket else 0,
    }
    return {
        "rps": float(rps.group(1)),
        "requests": int(total.group(1)),
        "latency_ms": percentiles,
        "errors": errors,
    }


def parse_statuses(output: str) -> dict[str, int]:
    """The answers per method and status that a wrk script printed at its end
    (`statuses: GET:200=1 PATCH:200=812 PATCH:412=3`); raises ValueError when the line is
    missing or malformed, since then the run's errors cannot be told apart."""
    match = _STATUSES.search(output)
    if match is None:
        raise ValueError(f"no statuses line in the script's output: {output[-500:]!r}")
    counts: dict[str, int] = {}
    for item in match.group(1).split():
        part = _STATUS.match(item)
        if part is None:
            raise ValueError(f"not a method:status=count item: {item!r}")
        counts[f"{part.group(1)}:{part.group(2)}"] = int(part.group(3))
    return counts


def write_outcomes(statuses: Mapping[str, int]) -> dict[str, int]:
    """A conditional-write run's answers in the terms that matter: writes that took effect, writes
    refused as stale (412), other failures, and the reads that fetched a starting ETag."""
    outcomes = {"written": 0, "stale_412": 0, "failed": 0, "etag_reads": 0}
    for key, count in statuses.items():
        method, _, status = key.partition(":")
        if method == "GET" and status.startswith("2"):
            outcomes["etag_reads"] += count
        elif method == "PATCH" and status.startswith("2"):
            outcomes["written"] += count
        elif status == "412":
            outcomes["stale_412"] += count
        else:
            outcomes["failed"] += count
    return outcomes


def error_count(errors: Mapping[str, int]) -> int:
    return sum(errors.values())


def median(values: Iterable[float | None]) -> float | None:
    """Median of the figures that exist; None when there are none. Never a mean: one noisy
    round must not move the result."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(present) if present else None


def ratio(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base == 0:
        return None
    return value / base


def open_loop_rates(capacity_rps: float, fractions: Sequence[float]) -> dict[float, float]:
    """The fixed rates of a round: fractions of the direct call's capacity measured in it,
    rounded down to whole requests a second (at least one)."""
    if capacity_rps <= 0:
        raise ValueError("capacity must be positive")
    return {f: float(max(1, math.floor(capacity_rps * f))) for f in fractions}


def scheduled_requests(rate: float, duration_s: float) -> int:
    """How many requests an open-loop run of this rate and length sends (as the generator does)."""
    return int(rate * duration_s)


def cpu_share(cpu_seconds: float, wall_seconds: float) -> float | None:
    """Share of one core used over a run (1.0 = one core saturated)."""
    return cpu_seconds / wall_seconds if wall_seconds > 0 else None
