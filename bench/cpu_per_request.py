"""CPU time per request of the gateway process, for comparing two revisions of its hot path.

Throughput on a small shared 2-core machine swings by half from one run to the next; the CPU
time a process spends per request it answers is much steadier, because it does not depend on
how much of the machine the process got. This script measures that figure for the gateway (and
for the service behind it), interleaving the variants so that they see the same conditions:

    .venv/bin/python bench/cpu_per_request.py                      # the working tree only
    .venv/bin/python bench/cpu_per_request.py --baseline HEAD~3    # HEAD~3 against the tree

It starts, on free loopback ports with a temporary data folder, one kpi service and one gateway
per variant (production settings as in `make bench`: JSON access lines at INFO, bearer tokens
verified at the edge, rate limits on but out of reach). A baseline revision runs from its own
`gateway` and `chassis` sources (`git archive`, nothing in the working tree or the index is
touched), put first on PYTHONPATH, so both variants share one virtual environment and one
database. Then, for each repetition, in shuffled order, for each variant and each target:

- G:  `GET /kpi/v1/me` with a bearer token, proxied to the service;
- G0: `GET /health/live`, answered by the gateway itself;

wrk drives the target for a fixed time at a fixed number of connections, and the CPU (user +
system, from /proc/<pid>/stat) that the gateway and the service used meanwhile is divided by
the requests wrk counted. The table shows the median over repetitions of each figure and of its
same-repetition ratio to the first variant. The figures go to bench/results/cpu-<time>.json.

`--profile` afterwards records a py-spy profile (collapsed stacks) of each variant on G.
"""

# The script starts fixed programs (git, wrk, py-spy, the platform) with arguments it builds.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from platform_bench import tools
from platform_bench.processes import (
    PY,
    ROOT,
    Fleet,
    free_ports,
    process_cpu_seconds,
)
from platform_bench.runner import _json_log_env, _rate_limits_out_of_reach
from platform_bench.stats import median, parse_wrk

RESULTS = ROOT / "bench" / "results"
CURRENT = "tree"
# The sources a variant needs besides the shared virtual environment: the gateway and the kit.
SOURCES = ("gateway/src", "libs/chassis/src")
TARGETS = {"G": "/kpi/v1/me", "G0": "/health/live"}


@dataclass(frozen=True)
class Variant:
    name: str
    pythonpath: str | None  # None: the working tree, as installed


def _baseline(rev: str, into: Path) -> Variant:
    """The gateway and kit sources of `rev`, unpacked into `into` (the index is not touched)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, *SOURCES],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    short = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    return Variant(short, os.pathsep.join(str(into / s) for s in SOURCES))


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Run:
    def __init__(self, args: argparse.Namespace, workdir: Path, fleet: Fleet) -> None:
        self.args = args
        self.workdir = workdir
        self.fleet = fleet
        self.wrk = shutil.which("wrk") or "/usr/bin/wrk"
        self.records: list[dict[str, Any]] = []

    def start(self, variants: list[Variant]) -> None:
        names = ["svc", *(f"gw-{v.name}" for v in variants)]
        ports = dict(zip(names, free_ports(len(names)), strict=True))
        data = self.workdir / "data"
        data.mkdir()
        # The first gateway is the issuer the service trusts; every gateway signs with the keys
        # in the one shared database and carries the same issuer, so one token serves them all.
        issuer = f"http://127.0.0.1:{ports[names[1]]}"
        svc_url = f"http://127.0.0.1:{ports['svc']}"
        service_env = {
            "KPI_HOST": "127.0.0.1",
            "KPI_DATA_DIR": str(data),
            "KPI_AUTH__ISSUER": issuer,
            "KPI_AUTH__JWKS_URL": f"{issuer}/.well-known/jwks.json",
            **_json_log_env("KPI_"),
        }
        self.gateway_env = {
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_DATA_DIR": str(data),
            "GATEWAY_ISSUER": issuer,
            **{f"GATEWAY_{n.upper()}_URL": svc_url for n in ("catalogue", "training", "helpdesk")},
            "GATEWAY_KPI_URL": svc_url,
            **_json_log_env("GATEWAY_"),
            **_rate_limits_out_of_reach(),
        }
        for package, env in (("kpi", service_env), ("gateway", self.gateway_env)):
            subprocess.run(
                [PY, "-m", package, "migrate"],
                env={**os.environ, **env},
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        for variant in variants:
            name = f"gw-{variant.name}"
            env = {**self.gateway_env, "GATEWAY_PORT": str(ports[name])}
            if variant.pythonpath is not None:
                env["PYTHONPATH"] = variant.pythonpath
            self.fleet.start(name, ports[name], [PY, "-m", "gateway", "serve"], env)
        self.fleet.start(
            "svc",
            ports["svc"],
            [PY, "-m", "kpi", "serve"],
            {**service_env, "KPI_PORT": str(ports["svc"])},
        )
        self.token = self._mint_token()
        with httpx.Client(trust_env=False, timeout=5.0) as client:
            for variant in variants:
                for target, path in TARGETS.items():
                    answer = client.get(self._url(variant, target), headers=self._headers(target))
                    if answer.status_code != 200:
                        raise RuntimeError(
                            f"{variant.name} answered {target} ({path}) with "
                            f"{answer.status_code}: {answer.text[:300]}"
                        )

    def _mint_token(self) -> str:
        done = subprocess.run(
            [PY, "-m", "gateway", "token", "--role", "operator"],
            env={**os.environ, **self.gateway_env},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"gateway token failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def _url(self, variant: Variant, target: str) -> str:
        return f"{self.fleet[f'gw-{variant.name}'].url}{TARGETS[target]}"

    def _headers(self, target: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if target == "G" else {}

    def _wrk(self, url: str, headers: dict[str, str], seconds: int) -> dict[str, Any]:
        argv = [self.wrk, "-t", "2", "-c", str(self.args.connections), "-d", f"{seconds}s"]
        argv += ["--latency", "--timeout", "5s"]
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(url)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30)
        return parse_wrk(done.stdout)

    def measure(self, repetition: int, variant: Variant, target: str) -> None:
        gateway = self.fleet[f"gw-{variant.name}"].process.pid
        service = self.fleet["svc"].process.pid
        url, headers = self._url(variant, target), self._headers(target)
        # Warm: pools, caches, the verified-token cache, first-use imports.
        self._wrk(url, headers, 1)
        gw_before, svc_before = process_cpu_seconds(gateway), process_cpu_seconds(service)
        figures = self._wrk(url, headers, self.args.seconds)
        gw_cpu = process_cpu_seconds(gateway) - gw_before
        svc_cpu = process_cpu_seconds(service) - svc_before
        served = max(1, figures["requests"])
        record = {
            "repetition": repetition,
            "variant": variant.name,
            "target": target,
            "requests": figures["requests"],
            "rps": figures["rps"],
            "errors": figures["errors"],
            "latency_ms": figures["latency_ms"],
            "gateway_cpu_us_per_request": round(gw_cpu / served * 1e6, 1),
            "service_cpu_us_per_request": round(svc_cpu / served * 1e6, 1),
            "load_average": _load_average(),
        }
        self.records.append(record)
        tools.say(
            f"rep {repetition} {variant.name:>8} {target:<3} {figures['rps']:>8.0f} req/s  "
            f"gateway {record['gateway_cpu_us_per_request']:>6.1f} us/req  "
            f"service {record['service_cpu_us_per_request']:>6.1f} us/req"
        )

    def profile(self, variant: Variant, stamp: str) -> str:
        pid = self.fleet[f"gw-{variant.name}"].process.pid
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"cpu-profile-{stamp}-{variant.name}.txt"
        seconds = max(5, self.args.seconds)
        spy = subprocess.Popen(
            [
                *(str(Path(PY).parent / "py-spy"), "record", "--pid", str(pid)),
                *("--rate", "250", "--duration", str(seconds), "--format", "raw"),
                *("--output", str(out), "--nonblocking"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(0.5)
        self._wrk(self._url(variant, "G"), self._headers("G"), seconds)
        _, err = spy.communicate(timeout=seconds + 30)
        if spy.returncode != 0:
            raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-500:]}")
        return str(out.relative_to(ROOT))


def summarise(records: list[dict[str, Any]], variants: list[Variant]) -> list[dict[str, Any]]:
    """Per variant and target: medians over repetitions, and the median same-repetition ratio of
    the gateway's CPU per request to the first variant's."""
    first = variants[0].name
    rows = []
    for variant in variants:
        for target in TARGETS:
            mine = [r for r in records if r["variant"] == variant.name and r["target"] == target]
            base = {
                r["repetition"]: r
                for r in records
                if r["variant"] == first and r["target"] == target
            }
            ratios = [
                r["gateway_cpu_us_per_request"]
                / base[r["repetition"]]["gateway_cpu_us_per_request"]
                for r in mine
                if r["repetition"] in base and base[r["repetition"]]["gateway_cpu_us_per_request"]
            ]
            rows.append(
                {
                    "variant": variant.name,
                    "target": target,
                    "repetitions": len(mine),
                    "gateway_cpu_us_per_request": median(
                        r["gateway_cpu_us_per_request"] for r in mine
                    ),
                    "gateway_cpu_range": [
                        min(r["gateway_cpu_us_per_request"] for r in mine),
                        max(r["gateway_cpu_us_per_request"] for r in mine),
                    ],
                    "service_cpu_us_per_request": median(
                        r["service_cpu_us_per_request"] for r in mine
                    ),
                    "rps": median(r["rps"] for r in mine),
                    "p99_ms": median(r["latency_ms"]["p99"] for r in mine),
                    "errors": sum(sum(r["errors"].values()) for r in mine),
                    f"cpu_ratio_to_{first}": median(ratios),
                }
            )
    return rows


def render(rows: list[dict[str, Any]], first: str) -> str:
    lines = [
        f"{'variant':>10} {'target':<6} {'gw us/req':>10} {'(min-max)':>15} {'svc us/req':>10} "
        f"{'req/s':>8} {'p99 ms':>7} {'errors':>6} {'cpu vs ' + first:>12}",
    ]
    for row in rows:
        low, high = row["gateway_cpu_range"]
        ratio = row[f"cpu_ratio_to_{first}"]
        lines.append(
            f"{row['variant']:>10} {row['target']:<6} {row['gateway_cpu_us_per_request']:>10.1f} "
            f"{f'({low:.0f}-{high:.0f})':>15} {row['service_cpu_us_per_request']:>10.1f} "
            f"{row['rps']:>8.0f} {row['p99_ms']:>7.2f} {row['errors']:>6} "
            f"{'' if ratio is None else f'{ratio:.3f}':>12}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        metavar="REV",
        help="a git revision to compare with the working tree (repeatable); listed first",
    )
    parser.add_argument("--repetitions", type=int, default=5, help="rounds (at least 3)")
    parser.add_argument("--seconds", type=int, default=5, help="length of each timed wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seed", type=int, default=int(time.time()), help="shuffle seed")
    parser.add_argument("--profile", action="store_true", help="py-spy each variant on G after")
    args = parser.parse_args(argv)
    if args.repetitions < 3:
        parser.error("at least 3 repetitions: a median of fewer says little on a shared machine")

    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    workdir = Path(tempfile.mkdtemp(prefix="cpu-per-request-"))
    rng = random.Random(args.seed)  # noqa: S311 (a shuffle, nothing secret)
    try:
        variants = [
            _baseline(rev, workdir / f"baseline-{n}") for n, rev in enumerate(args.baseline)
        ]
        variants.append(Variant(CURRENT, None))
        with Fleet(workdir) as fleet:
            run = Run(args, workdir, fleet)
            tools.say(f"starting {len(variants)} gateway(s) and the kpi service in {workdir}")
            run.start(variants)
            load_before = _load_average()
            for repetition in range(1, args.repetitions + 1):
                jobs = [(v, t) for v in variants for t in TARGETS]
                rng.shuffle(jobs)
                for variant, target in jobs:
                    run.measure(repetition, variant, target)
            load_after = _load_average()
            profiles = {v.name: run.profile(v, stamp) for v in variants} if args.profile else {}
        rows = summarise(run.records, variants)
        git = tools.git_state()
        result = {
            "started_at": started_at.isoformat(),
            "git": git,
            "variants": [v.name for v in variants],
            "baselines": args.baseline,
            "connections": args.connections,
            "seconds": args.seconds,
            "seed": args.seed,
            "machine": tools.machine(),
            "load_average": {"before": load_before, "after": load_after},
            "records": run.records,
            "summary": rows,
            "profiles": profiles,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"cpu-{stamp}-{git['short']}{'-dirty' if git['dirty'] else ''}.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(render(rows, variants[0].name))
        print(f"load average before {load_before}, after {load_after}")
        tools.say(f"figures written to {out.relative_to(ROOT)}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _stop(signum: int, _frame: object) -> None:
    # SIGTERM unwinds like Ctrl-C, so the fleet's exit stops every process it started.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main())
