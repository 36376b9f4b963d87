"""Figures over rounds: medians, ratios to the direct call of the same round, goals, and the table."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from platform_bench.stats import error_count, median, ratio

BASELINE = "D"
GOAL_CONNECTIONS = 16
SMALL = "small-read"
# The catalogue's reads, compared with the small read of the same configuration and round.
CATALOGUE_READS = (
    "catalogue-warm",
    "catalogue-304",
    "catalogue-cold",
    "widget-script",
    "widget-304",
)
WRITE = "write-if-match"
# Small database-backed pages against the small read of the same process and round (decision
# 0015), on SQLite and, with the "-pg" suffix, on PostgreSQL.
PAGES = ("counties-page", "events-page")
PAGE_GOAL = 0.5
WRITE_GOAL = 1000.0
# The data portal's warm pages through the gateway: p95 under 50 ms, at the goals' load. The
# 304 has no goal of its own; it is shown beside them.
PORTAL_PAGES = {"portal-page": "portal library page", "portal-home": "portal home"}
PORTAL_READS = ("portal-page", "portal-home", "portal-304")
PORTAL_P95_GOAL = 50.0


def _load(record: dict[str, Any]) -> float:
    return float(record["connections"] if record["kind"] == "closed" else record["fraction"])


def _key(record: dict[str, Any]) -> tuple[str, str, str, float]:
    return record["kind"], record["scenario"], record["config"], _load(record)


def _by_round(
    records: Iterable[dict[str, Any]],
) -> dict[tuple[str, str, str, float], dict[int, dict[str, Any]]]:
    grouped: dict[tuple[str, str, str, float], dict[int, dict[str, Any]]] = defaultdict(dict)
    for record in records:
        grouped[_key(record)][record["round"]] = record
    return grouped


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per configuration, scenario and load: the median over rounds of each figure, and of each
    round's ratio to D (so a slow round slows D and G alike and the ratio stays)."""
    grouped = _by_round(records)
    rows = []
    for (kind, scenario, config, load), rounds in sorted(grouped.items()):
        base = grouped.get((kind, scenario, BASELINE, load), {})
        if kind == "closed" and not base:
            # Configurations that answer on their own (G0) compare with D's small read.
            base = grouped.get((kind, SMALL, BASELINE, load), {})
        row: dict[str, Any] = {
            "kind": kind,
            "scenario": scenario,
            "config": config,
            "load": load,
            "rounds": len(rounds),
            "rps": median(r["rps"] for r in rounds.values()),
            "ratio_to_D": median(
                ratio(r["rps"], base[n]["rps"]) if n in base else None for n, r in rounds.items()
            ),
            "p50_ms": median(r["latency_ms"]["p50"] for r in rounds.values()),
            "p95_ms": median(r["latency_ms"].get("p95") for r in rounds.values()),
            "p99_ms": median(r["latency_ms"]["p99"] for r in rounds.values()),
            "max_ms": median(r["latency_ms"].get("max") for r in rounds.values()),
            "errors": sum(error_count(r["errors"]) for r in rounds.values()),
            "front_cpu_us_per_request": median(
                r.get("front_cpu_us_per_request") for r in rounds.values()
            ),
            "client_cpu_share_max": max((r["client_cpu_share"] or 0.0) for r in rounds.values()),
        }
        if any("writes" in r for r in rounds.values()):
            row["writes"] = {
                k: sum(r.get("writes", {}).get(k, 0) for r in rounds.values())
                for k in ("written", "stale_412", "failed", "etag_reads")
            }
        if kind == "open":
            row["rate"] = median(r["rate"] for r in rounds.values())
            for p in ("p50", "p99"):
                row[f"added_{p}_ms"] = median(
                    r["latency_ms"][p] - base[n]["latency_ms"][p] if n in base else None
                    for n, r in rounds.items()
                )
        rows.append(row)
    return {"rows": rows, "goals": goals(grouped), "catalogue": catalogue_ratios(grouped)}


def _per_round(
    grouped: dict[tuple[str, str, str, float], dict[int, dict[str, Any]]],
    a: tuple[str, str, str, float],
    b: tuple[str, str, str, float],
    figure: Any,
) -> list[float]:
    """The figure of each round that measured both `a` and `b`."""
    left, right = grouped.get(a, {}), grouped.get(b, {})
    values = (figure(left[n], right[n]) for n in sorted(left) if n in right)
    return [float(v) for v in values if v is not None]


# A verdict needs this many rounds: one or two can be flattered by one slow or fast minute.
VERDICT_ROUNDS = 3


def judge(values: list[float], op: str, target: float, *, difference: bool) -> dict[str, Any]:
    """The median over rounds and what it says of the goal: reached, MISSED, or inconclusive.

    Inconclusive when fewer than VERDICT_ROUNDS rounds measured it, and for a difference (the
    p99 a proxy adds) when it is negative (the baseline's own tail was the longer) or no larger
    than its spread over the rounds (indistinguishable from the machine's noise)."""
    value = median(values)
    out: dict[str, Any] = {"value": value, "rounds": len(values), "reached": None}
    if value is None:
        out["verdict"] = "not measured"
        return out
    spread = max(values) - min(values)
    out["spread"] = spread
    if len(values) < VERDICT_ROUNDS:
        out["verdict"] = f"inconclusive: {len(values)} round(s), a verdict needs {VERDICT_ROUNDS}"
    elif difference and value < 0:
        out["verdict"] = "inconclusive: negative, the baseline's own tail was the longer"
    elif difference and value <= spread:
        out["verdict"] = f"inconclusive: within the rounds' spread ({spread:.2f})"
    else:
        out["reached"] = value >= target if op == ">=" else value <= target
        out["verdict"] = "reached" if out["reached"] else "MISSED"
    return out


def goals(
    grouped: dict[tuple[str, str, str, float], dict[int, dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Issue 4's goals (the gateway's cost) and issue 5's (the catalogue against the small read,
    both through the gateway), each the median over rounds of a same-round comparison; issue
    9's (pages and writes); the data portal's (a warm page's p95 through the gateway)."""
    c = float(GOAL_CONNECTIONS)

    def rps_ratio(x: dict[str, Any], y: dict[str, Any]) -> float | None:
        return ratio(x["rps"], y["rps"])

    def added_p99(x: dict[str, Any], y: dict[str, Any]) -> float:
        return float(x["latency_ms"]["p99"] - y["latency_ms"]["p99"])

    measured = [
        (
            "G/D throughput, small read, 16 connections",
            ">=",
            0.6,
            _per_round(
                grouped, ("closed", SMALL, "G", c), ("closed", SMALL, BASELINE, c), rps_ratio
            ),
        ),
        (
            "G/N throughput (G within 0.8 of N's ratio), small read, 16 connections",
            ">=",
            0.8,
            _per_round(grouped, ("closed", SMALL, "G", c), ("closed", SMALL, "N", c), rps_ratio),
        ),
        (
            "p99 added by the gateway at 50 % of D's capacity (ms)",
            "<=",
            2.0,
            _per_round(
                grouped, ("open", SMALL, "G", 0.5), ("open", SMALL, BASELINE, 0.5), added_p99
            ),
        ),
        (
            "G0/D throughput (gateway's own route vs direct small read), 16 connections",
            ">=",
            1.5,
            _per_round(
                grouped, ("closed", SMALL, "G0", c), ("closed", SMALL, BASELINE, c), rps_ratio
            ),
        ),
        (
            "G warm catalogue / G small read throughput, 16 connections",
            ">=",
            0.8,
            _per_round(
                grouped, ("closed", "catalogue-warm", "G", c), ("closed", SMALL, "G", c), rps_ratio
            ),
        ),
        (
            "G catalogue 304 / G small read throughput, 16 connections",
            ">=",
            0.9,
            _per_round(
                grouped, ("closed", "catalogue-304", "G", c), ("closed", SMALL, "G", c), rps_ratio
            ),
        ),
    ]
    for suffix, backend in (("", "SQLite"), ("-pg", "PostgreSQL")):
        for page in PAGES:
            measured.append(
                (
                    f"D {page} / D small read throughput, 16 connections, {backend}",
                    ">=",
                    PAGE_GOAL,
                    _per_round(
                        grouped,
                        ("closed", page + suffix, BASELINE, c),
                        ("closed", SMALL + suffix, BASELINE, c),
                        rps_ratio,
                    ),
                )
            )
    for scenario, label in PORTAL_PAGES.items():
        rounds = grouped.get(("closed", scenario, "G", c), {})
        measured.append(
            (
                f"G {label} p95 (ms), warm, 16 connections",
                "<=",
                PORTAL_P95_GOAL,
                [
                    float(r["latency_ms"]["p95"])
                    for _, r in sorted(rounds.items())
                    if r["latency_ms"].get("p95") is not None
                ],
            )
        )
    for conns in (1.0, c):
        rounds = grouped.get(("closed", WRITE, BASELINE, conns), {})
        measured.append(
            (
                f"D If-Match writes per second, {conns:.0f} connection(s), SQLite",
                ">=",
                WRITE_GOAL,
                [float(r["rps"]) for _, r in sorted(rounds.items())],
            )
        )
    return [
        {
            "goal": name,
            "target": f"{op} {target}",
            **judge(values, op, target, difference=name.startswith("p99 added")),
        }
        for name, op, target, values in measured
    ]


def catalogue_ratios(
    grouped: dict[tuple[str, str, str, float], dict[int, dict[str, Any]]],
) -> dict[str, dict[str, float | None]]:
    """Per catalogue read and configuration, its throughput over the small read's in the same
    configuration and round at the goal's load: whether a shortfall is the service's (D) or
    what the proxy in front adds (N, G)."""
    c = float(GOAL_CONNECTIONS)
    configs = sorted({config for (kind, _, config, _) in grouped if kind == "closed"})
    out: dict[str, dict[str, float | None]] = {}
    for scenario in CATALOGUE_READS:
        out[scenario] = {
            config: median(
                _per_round(
                    grouped,
                    ("closed", scenario, config, c),
                    ("closed", SMALL, config, c),
                    lambda x, y: ratio(x["rps"], y["rps"]),
                )
            )
            for config in configs
            if ("closed", scenario, config, c) in grouped
        }
    return {k: v for k, v in out.items() if v}


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def render(result: dict[str, Any]) -> str:
    """The table on stdout: throughput and ratios, fixed-rate latencies, goals, generator CPU."""
    rows = result["summary"]["rows"]
    loads = result["loads"]
    lines = [
        f"make bench: {result['git']['short']}{' (dirty tree)' if result['git']['dirty'] else ''}, "
        f"{loads['rounds']} round(s) of {loads['seconds']} s runs, "
        f"{result['machine']['cores']} cores, medians over rounds; (x.xx) = ratio to D of the same round",
        "",
    ]
    if result.get("stages") == ["services"]:
        # The services stage alone (BENCH_STAGES=services).
        return "\n".join(lines + _services(result, rows))
    for section in (
        _closed_loop,
        _fixed_rate,
        _catalogue,
        _portal,
        _writes,
        _goals,
        _services,
        _warnings_and_generator,
        _profile,
    ):
        lines += section(result, rows)
    return "\n".join(lines)


def _closed_loop(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "Closed loop (wrk): requests/s (ratio to D); CPU us/req = the front process's CPU per request"
    ]
    closed = [r for r in rows if r["kind"] == "closed"]
    conns = sorted({int(r["load"]) for r in closed})
    lines.append(
        f"  {'scenario':<16}{'config':<12}"
        + "".join(f"{f'c={c}':>20}" for c in conns)
        + f"{'p99 ms @16':>12}{'CPU us/req @16':>16}{'errors':>8}"
    )
    table: dict[tuple[str, str], dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in closed:
        table[(r["scenario"], r["config"])][int(r["load"])] = r
    for (scenario, config), by_c in table.items():
        cells = "".join(
            f"{_fmt(by_c[c]['rps'], ',.0f') + ' (' + _fmt(by_c[c]['ratio_to_D'], '.2f') + ')':>20}"
            if c in by_c
            else f"{'':>20}"
            for c in conns
        )
        p99 = by_c.get(16, {}).get("p99_ms")
        cpu = by_c.get(16, {}).get("front_cpu_us_per_request")
        errors = sum(r["errors"] for r in by_c.values())
        lines.append(
            f"  {scenario:<16}{config:<12}{cells}{_fmt(p99, '.2f'):>12}{_fmt(cpu, '.0f'):>16}{errors:>8}"
        )
    return lines


def _fixed_rate(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    opened = [r for r in rows if r["kind"] == "open"]
    if not opened:
        return []
    lines = [
        "",
        "Fixed rate (open loop, latency from the intended send time): ms, (+added vs D)",
        f"  {'scenario':<16}{'load':<16}{'config':<8}{'p50':>16}{'p99':>16}{'max':>10}{'errors':>8}",
    ]
    for r in sorted(opened, key=lambda r: (r["scenario"], r["load"], r["config"])):
        added50 = "" if r["config"] == BASELINE else f" (+{_fmt(r['added_p50_ms'], '.2f')})"
        added99 = "" if r["config"] == BASELINE else f" (+{_fmt(r['added_p99_ms'], '.2f')})"
        load = f"{r['load']:.0%} = {_fmt(r['rate'], '.0f')}/s"
        lines.append(
            f"  {r['scenario']:<16}{load:<16}{r['config']:<8}"
            f"{_fmt(r['p50_ms'], '.2f') + added50:>16}{_fmt(r['p99_ms'], '.2f') + added99:>16}"
            f"{_fmt(r['max_ms'], '.1f'):>10}{r['errors']:>8}"
        )
    return lines


def _catalogue(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    catalogue = result["summary"].get("catalogue", {})
    if not catalogue:
        return []
    lines = ["", "Catalogue reads / small read, same configuration and round, 16 connections"]
    for scenario, by_config in catalogue.items():
        cells = ", ".join(f"{k} {_fmt(v, '.2f')}" for k, v in by_config.items())
        lines.append(f"  {scenario:<16}{cells}")
    widget = result.get("widget")
    if widget:
        lines.append(
            f"  widget.js: {widget['bytes']:,} bytes ({widget['gzip_bytes']:,} sent gzipped), "
            f"Cache-Control {widget['cache_control']!r}, ETag {widget['etag']}"
        )
    return lines


def _portal(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """The portal's pages: latency percentiles (the goal is a p95) and throughput, direct and
    through the gateway, and each page's size."""
    portal = [r for r in rows if r["kind"] == "closed" and r["scenario"] in PORTAL_READS]
    if not portal:
        return []
    lines = [
        "",
        "Data portal (kpi's pages, warm, Accept-Language: nb, gzipped): ms, requests/s",
        f"  {'scenario':<16}{'config':<8}{'conns':>6}{'p50':>9}{'p95':>9}{'p99':>9}{'req/s':>10}",
    ]
    order = {name: i for i, name in enumerate(PORTAL_READS)}
    for r in sorted(portal, key=lambda r: (order[r["scenario"]], r["config"], r["load"])):
        lines.append(
            f"  {r['scenario']:<16}{r['config']:<8}{int(r['load']):>6}"
            f"{_fmt(r['p50_ms'], '.2f'):>9}{_fmt(r.get('p95_ms'), '.2f'):>9}"
            f"{_fmt(r['p99_ms'], '.2f'):>9}{_fmt(r['rps'], ',.0f'):>10}"
        )
    for name, note in (result.get("portal") or {}).items():
        lines.append(
            f"  {name} {note['path']}: {note['bytes']:,} bytes ({note['gzip_bytes']:,} sent gzipped), "
            f"Cache-Control {note['cache_control']!r}, Vary {note['vary']!r}, ETag {note['etag']}"
        )
    return lines


def _writes(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    writes = [r for r in rows if "writes" in r]
    if not writes:
        return []
    lines = [
        "",
        "Writes with If-Match (wrk script, one connection per library): answers over all rounds",
    ]
    for r in sorted(writes, key=lambda r: (r["scenario"], r["load"], r["config"])):
        w = r["writes"]
        lines.append(
            f"  {r['scenario']:<16}{r['config']:<8}c={int(r['load']):<4}"
            f"written {w['written']:>7}, stale (412) {w['stale_412']:>4}, "
            f"other failures {w['failed']:>4}, ETag reads {w['etag_reads']:>3}"
        )
    return lines


def _goals(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "Goals (issue 4, point 7; issue 5, point 8; issue 9, point 9; the data portal's warm "
        "page): medians over rounds",
    ]
    for g in result["summary"]["goals"]:
        state = g["verdict"]
        lines.append(
            f"  {g['goal']:<82} {_fmt(g['value'], '.2f'):>6} (target {g['target']}): {state}"
        )
    return lines


def _services(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """The services stage's figures and verdicts (bench/platform_bench/services_stage.py)."""
    services = result.get("services") or {}
    if not services.get("rows"):
        return []
    lines = [
        "",
        "Services (issue 11 point 11, issue 12, issue 13 point 9): medians over rounds, every "
        "script run again each round",
    ]
    for row in services["rows"]:
        if not row["values"]:
            continue
        rounds = ", ".join(f"{v:,.1f}" for v in row["values"])
        goal = f"target {row['target']} {row['unit']}" if row["target"] else row["unit"]
        lines.append(
            f"  {row['label'] + ', ' + row['backend']:<86} {_fmt(row['value'], ',.1f'):>9} "
            f"({goal}; rounds {rounds}): {row['verdict']}"
        )
    return lines + [f"  note: {note}" for note in services.get("notes", [])]


def _warnings_and_generator(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    failing = sorted({f"{r['config']} {r['scenario']}" for r in rows if r["errors"]})
    if failing:
        lines += ["", "WARNING: errors (non-2xx/3xx or socket) in: " + ", ".join(failing)]
    busiest = max(rows, key=lambda r: r["client_cpu_share_max"], default=None)
    if busiest is not None:
        lines += [
            "",
            f"Load generator CPU: at most {busiest['client_cpu_share_max']:.0%} of one core "
            f"({busiest['kind']}, {busiest['scenario']}, {busiest['config']}, load {busiest['load']:g})",
        ]
    return [*lines, "", "G settings: " + "; ".join(result["settings"].get("gateway_notes", []))]


def _profile(result: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    profile = result.get("profile")
    if not profile:
        return []
    lines = ["", f"Profile of G ({', '.join(profile['files'].values())}): own time by file"]
    return lines + [f"  {share:6.1%}  {where}" for where, share in profile["top"]["self_by_file"]]


_LINE_NUMBER = re.compile(r":\d+\)$")
_FILE = re.compile(r"\((.*?)(?::\d+)?\)$")


def profile_summary(raw: Path, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """py-spy's collapsed stacks (`a;b;c count` per line) read into shares of the samples: own
    time by source file and by function, and time spent below each function (inclusive)."""
    self_file: Counter[str] = Counter()
    self_func: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_LINE_NUMBER.sub(")", f) for f in stack.split(";")]
        # Frame 0 is the thread (or process) name: not code.
        code = [f for f in frames if "(" in f] or frames
        total += count
        leaf = code[-1]
        self_func[leaf] += count
        match = _FILE.search(leaf)
        self_file[_short_file(match.group(1)) if match else leaf] += count
        for frame in set(code):
            inclusive[frame] += count
    if total == 0:
        return {"self_by_file": [], "self_by_function": [], "inclusive": []}

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(k, v / total) for k, v in counter.most_common(top)]

    return {
        "samples": [("all", float(total))],
        "self_by_file": shares(self_file),
        "self_by_function": shares(self_func),
        "inclusive": shares(inclusive),
    }


def _short_file(path: str) -> str:
    """site-packages/aiohttp/client.py -> aiohttp/client.py; src/gateway/proxy.py -> gateway/proxy.py."""
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path
