"""make bench's services stage: the services' own goals, measured by their existing scripts.

- training's search p95 on the judged corpus (< 20 ms) and on a generated 10,000-document one
  (< 50 ms), and the help desk's knowledge-base search (its articles only, held to the judged
  corpus's 20 ms), through `libs/search/bench/search_latency.py`;
- the public `.ics` feed warm, through the gateway and direct: a full 200 and an ETag's 304;
- kpi's scripts (`services/kpi/bench/*.py`): a roll-up's p95 (< 200 ms), a 100,000-row import
  (< 15 s), a harvest's events per second (>= 5,000).

Each on SQLite and, when one answers, on PostgreSQL (a fresh database per script run, dropped
after it). A script's figure is read from its output; every round runs every measure again in a
shuffled order, and the verdict is `report.judge`'s: the median over rounds, inconclusive below
three rounds or when the target lies within the rounds' spread.
"""

# The stage starts fixed programs (the repository's scripts, wrk, the services) with arguments
# it builds.
# ruff: noqa: S603

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from platform_bench import postgres, tools
from platform_bench.processes import PY, ROOT, Fleet, free_ports
from platform_bench.report import judge
from platform_bench.stats import median, parse_wrk

SEARCH_SCRIPT = ROOT / "libs" / "search" / "bench" / "search_latency.py"
KPI_BENCH = ROOT / "services" / "kpi" / "bench"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
ICS_PATH = "/v1/calendar.ics"
ICS_CONNECTIONS = 16
# Beyond a script's own work: only guards a hang.
SCRIPT_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class Measure:
    """One figure a script gives, with its goal (`target` None: a figure without a goal)."""

    key: str
    label: str
    unit: str
    op: str  # "<=" (the figure must stay under the target) or ">="
    target: float | None
    group: str  # "search", "ics" or "kpi": what BENCH_SERVICES selects
    # Sizes of the quick run that differ from the goal's: then no verdict is given.
    quick_note: str | None = None


MEASURES: tuple[Measure, ...] = (
    Measure("search-judged", "training search p95, judged corpus (160 documents)", "ms", "<=", 20.0, "search"),
    Measure("search-generated", "training search p95, generated corpus (10,000 documents)", "ms", "<=", 50.0, "search"),
    Measure("search-articles", "helpdesk knowledge-base search p95, judged articles (76)", "ms", "<=", 20.0, "search"),
    Measure("ics-full-G", "public .ics feed, full 200 through the gateway, 16 connections", "req/s", ">=", None, "ics"),
    Measure("ics-304-G", "public .ics feed, ETag 304 through the gateway, 16 connections", "req/s", ">=", None, "ics"),
    Measure("ics-full-D", "public .ics feed, full 200 direct, 16 connections", "req/s", ">=", None, "ics"),
    Measure("ics-304-D", "public .ics feed, ETag 304 direct, 16 connections", "req/s", ">=", None, "ics"),
    Measure("kpi-rollup", "kpi roll-up to the country p95 (240,000 observations)", "ms", "<=", 200.0, "kpi"),
    Measure("kpi-import", "kpi CSV import of 100,000 rows", "s", "<=", 15.0, "kpi"),
    Measure("kpi-harvest", "kpi harvest of the catalogue's events", "events/s", ">=", 5000.0, "kpi", "quick run: 5,000 events, not 20,000"),
)  # fmt: skip
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
GROUPS = ("search", "ics", "kpi")


@dataclass(frozen=True)
class StageLoads:
    rounds: int
    search_passes: int  # passes over the dev queries per search run; the run's p95 is its figure
    rollup_runs: int
    harvest_events: int
    ics_seconds: int


FULL = StageLoads(rounds=3, search_passes=3, rollup_runs=40, harvest_events=20_000, ics_seconds=5)
QUICK = StageLoads(rounds=1, search_passes=1, rollup_runs=10, harvest_events=5_000, ics_seconds=2)


# ------------------------------------------------------------------ reading the scripts' output

_ROLLUP = re.compile(r"p95 ([\d.]+) ms")
_IMPORT = re.compile(r"total ([\d.]+) s")
_HARVEST = re.compile(r"([\d,]+) events/s")


def _number(pattern: re.Pattern[str], output: str, what: str) -> float:
    found = pattern.findall(output)
    if not found:
        raise ValueError(f"no {what} in the script's output: {output[-500:]!r}")
    return float(found[-1].replace(",", ""))


def parse_rollup(output: str) -> float:
    """The p95 in ms of services/kpi/bench/rollup.py's line."""
    return _number(_ROLLUP, output, "roll-up p95")


def parse_import(output: str) -> float:
    """The total seconds (check and write) of services/kpi/bench/import_rows.py's line."""
    return _number(_IMPORT, output, "import total")


def parse_harvest(output: str) -> float:
    """The events per second of services/kpi/bench/harvest_events.py's line."""
    return _number(_HARVEST, output, "events per second")


def parse_search(output: str) -> float:
    """The p95 over all passes of search_latency.py --json's (one) line."""
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if len(lines) != 1:
        raise ValueError(f"expected one JSON line from search_latency.py: {output[-500:]!r}")
    return float(json.loads(lines[0])["p95_ms"])


# ------------------------------------------------------------------ verdicts


def verdict(measure: Measure, values: list[float], *, quick: bool) -> dict[str, Any]:
    """The median over rounds against the goal, by `report.judge`'s rules, and inconclusive too
    when the target lies within the rounds' spread (a round on each side of it) or the quick
    run measured other sizes than the goal's."""
    if measure.target is None:
        value = median(values)
        return {
            "value": value,
            "rounds": len(values),
            "reached": None,
            "spread": (max(values) - min(values)) if values else None,
            "verdict": "not measured" if value is None else "figure only (no goal)",
        }
    out = judge(values, measure.op, measure.target, difference=False)
    if out["reached"] is not None and min(values) <= measure.target <= max(values):
        out["reached"] = None
        out["verdict"] = (
            f"inconclusive: the target is within the rounds' spread ({out['spread']:.2f})"
        )
    if out["reached"] is not None and quick and measure.quick_note:
        out["reached"] = None
        out["verdict"] = f"inconclusive: {measure.quick_note}"
    return out


def summarise(
    records: Iterable[dict[str, Any]], *, quick: bool, backends: Iterable[str]
) -> list[dict[str, Any]]:
    """One row per measure and database: the rounds' figures, their median and the verdict."""
    by: dict[tuple[str, str], dict[int, float]] = {}
    for r in records:
        by.setdefault((r["measure"], r["backend"]), {})[r["round"]] = float(r["value"])
    rows = []
    for measure in MEASURES:
        for backend in backends:
            if measure.group == "ics" and backend != SQLITE:
                continue
            values = [v for _, v in sorted(by.get((measure.key, backend), {}).items())]
            target = (
                None
                if measure.target is None
                else f"{'<' if measure.op == '<=' else '>='} {measure.target:g}"
            )
            rows.append(
                {
                    "measure": measure.key,
                    "label": measure.label,
                    "backend": backend,
                    "unit": measure.unit,
                    "target": target,
                    "values": values,
                    **verdict(measure, values, quick=quick),
                }
            )
    return rows


# ------------------------------------------------------------------ running


class ServicesStage:
    """Runs the chosen measures `loads.rounds` times in a shuffled order."""

    def __init__(
        self,
        loads: StageLoads,
        workdir: Path,
        seed: int,
        *,
        quick: bool,
        groups: Iterable[str] = GROUPS,
        postgres_available: bool | None = None,
    ) -> None:
        self.loads = loads
        self.workdir = workdir / "services"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.random = random.Random(seed)  # noqa: S311 (an order, nothing secret)
        self.quick = quick
        self.groups = tuple(g for g in GROUPS if g in set(groups))
        self.records: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self._runs = 0
        self._postgres = postgres_available
        self._ics_urls: dict[str, str] = {}
        self._ics_etag = ""

    def _backends(self) -> list[str]:
        if self._postgres is None:
            made = postgres.create_database()
            self._postgres = made is not None
            if made is not None:
                postgres.drop_database(made[0])
        return [SQLITE, POSTGRESQL] if self._postgres else [SQLITE]

    def run(self) -> dict[str, Any]:
        load_before = os.getloadavg()[0]
        backends = self._backends()
        if POSTGRESQL not in backends:
            self.notes.append("no PostgreSQL answered: SQLite only")
        jobs: list[tuple[str, str, Callable[[], dict[str, float]]]] = []
        for backend in backends:
            if "search" in self.groups:
                jobs.append(("search", backend, partial(self._search, backend)))
            if "kpi" in self.groups:
                jobs.append(("kpi", backend, partial(self._kpi, backend)))
        with Fleet(self.workdir) as fleet:
            if "ics" in self.groups:
                self._start_ics(fleet)
                jobs.append(("ics", SQLITE, self._ics))
            for number in range(1, self.loads.rounds + 1):
                self.random.shuffle(jobs)
                tools.say(
                    f"services round {number}: " + ", ".join(f"{g} ({b})" for g, b, _ in jobs)
                )
                for _, backend, job in jobs:
                    for key, value in job().items():
                        self.records.append(
                            {"round": number, "measure": key, "backend": backend, "value": value}
                        )
        # The figures measure the machine's contention too: say how busy it was.
        self.notes.append(
            f"load average (1 min) {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at "
            f"the end, on {os.cpu_count()} cores"
        )
        return {
            "loads": self.loads.__dict__,
            "records": self.records,
            "rows": summarise(self.records, quick=self.quick, backends=backends),
            "notes": self.notes,
        }

    # -------------------------------------------------------------- search

    def _search(self, backend: str) -> dict[str, float]:
        out = {}
        runs: list[tuple[str, str, str | None]] = [
            ("search-judged", "judged", None),
            ("search-generated", "generated", None),
            ("search-articles", "judged", "article"),
        ]
        for key, corpus, kinds in runs:
            argv = [PY, str(SEARCH_SCRIPT), "--json", "--corpus", corpus, "--backend", backend]
            argv += ["--rounds", str(self.loads.search_passes), "--docs", "10000"]
            argv += ["--postgres", postgres.admin_url()]
            if kinds:
                argv += ["--kinds", kinds]
            out[key] = parse_search(self._script(argv))
        return out

    # -------------------------------------------------------------- kpi

    def _kpi(self, backend: str) -> dict[str, float]:
        scripts = (
            ("kpi-rollup", "rollup.py", ["--runs", str(self.loads.rollup_runs)], parse_rollup),
            ("kpi-import", "import_rows.py", ["--rows", "100000"], parse_import),
            (
                "kpi-harvest",
                "harvest_events.py",
                ["--events", str(self.loads.harvest_events)],
                parse_harvest,
            ),
        )
        out = {}
        for key, name, args, parse in scripts:
            with self._fresh_database(backend) as url:
                output = self._script([PY, str(KPI_BENCH / name), "--database-url", url, *args])
            out[key] = parse(output)
        return out

    def _fresh_database(self, backend: str) -> _FreshDatabase:
        self._runs += 1
        return _FreshDatabase(backend, self.workdir / f"kpi-{self._runs}.db")

    def _script(self, argv: list[str]) -> str:
        done = subprocess.run(
            argv,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT_SECONDS,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv[1:3])} failed ({done.returncode}): {done.stderr[-2000:]}"
            )
        return done.stdout

    # -------------------------------------------------------------- the .ics feed

    def _start_ics(self, fleet: Fleet) -> None:
        """The training service with its demo data (SQLite) and a gateway in front of it, as
        `make run` has them, on ports of their own."""
        data = self.workdir / "ics-data"
        data.mkdir(exist_ok=True)
        gw_port, svc_port = free_ports(2)
        issuer = f"http://127.0.0.1:{gw_port}"
        _prepare_training(data)
        svc_env = {
            "TRAINING_HOST": "127.0.0.1",
            "TRAINING_PORT": str(svc_port),
            "TRAINING_DATA_DIR": str(data),
            "TRAINING_DATABASE_URL": "",
            "TRAINING_AUTH__ISSUER": issuer,
            "TRAINING_AUTH__JWKS_URL": f"{issuer}/.well-known/jwks.json",
            "TRAINING_LOG_FORMAT": "json",
            "TRAINING_LOG_LEVEL": "INFO",
        }
        svc_url = f"http://127.0.0.1:{svc_port}"
        gw_env = {
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(gw_port),
            "GATEWAY_DATA_DIR": str(data),
            "GATEWAY_DATABASE_URL": "",
            "GATEWAY_ISSUER": issuer,
            # Only /training carries traffic; no request may reach a `make run` platform.
            **{f"GATEWAY_{n.upper()}_URL": svc_url for n in ("catalogue", "helpdesk", "kpi")},
            "GATEWAY_TRAINING_URL": svc_url,
            "GATEWAY_LOG_FORMAT": "json",
            "GATEWAY_LOG_LEVEL": "INFO",
            **tools.rate_limits_out_of_reach(),
        }
        fleet.start("ics_gw", gw_port, [PY, "-m", "gateway", "serve"], gw_env)
        fleet.start("ics_svc", svc_port, [PY, "-m", "training", "serve"], svc_env)
        self._ics_urls = {"G": f"{issuer}/training{ICS_PATH}", "D": f"{svc_url}{ICS_PATH}"}
        self._ics_etag = self._check_ics()

    def _check_ics(self) -> str:
        """Before anything is timed: both ways give the same calendar with the same ETag, and
        that ETag gives a 304."""
        with httpx.Client(trust_env=False, timeout=10.0) as client:
            tags = set()
            for name, url in self._ics_urls.items():
                full = client.get(url)
                if full.status_code != 200 or "BEGIN:VEVENT" not in full.text:
                    raise RuntimeError(f"{name} answered the .ics feed with {full.status_code}")
                tags.add(full.headers["etag"])
                again = client.get(url, headers={"If-None-Match": full.headers["etag"]})
                if again.status_code != 304:
                    raise RuntimeError(f"{name} answered a current ETag with {again.status_code}")
            if len(tags) != 1:
                raise RuntimeError(f"the gateway and the service gave different ETags: {tags}")
        return tags.pop()

    def _ics(self) -> dict[str, float]:
        out = {}
        runs = [(c, kind) for c in ("G", "D") for kind in ("full", "304")]
        self.random.shuffle(runs)
        for config, kind in runs:
            headers = {"If-None-Match": self._ics_etag} if kind == "304" else {}
            figures = _wrk(self._ics_urls[config], headers, self.loads.ics_seconds)
            errors = sum(figures["errors"].values())
            if errors:
                self.notes.append(f"ics-{kind}-{config}: {errors} errors (non-2xx/3xx or socket)")
            out[f"ics-{kind}-{config}"] = figures["rps"]
        return out


class _FreshDatabase:
    """A database of its own for one script run: a new SQLite file, or a PostgreSQL database
    created before and dropped after."""

    def __init__(self, backend: str, sqlite_file: Path) -> None:
        self.backend = backend
        self.sqlite_file = sqlite_file
        self.name: str | None = None

    def __enter__(self) -> str:
        if self.backend == SQLITE:
            return f"sqlite:///{self.sqlite_file}"
        made = postgres.create_database()
        if made is None:
            raise RuntimeError("PostgreSQL stopped answering during the services stage")
        self.name = made[0]
        return made[1]

    def __exit__(self, *_: object) -> None:
        if self.name is not None:
            postgres.drop_database(self.name)
        self.sqlite_file.unlink(missing_ok=True)


def _wrk(url: str, headers: Mapping[str, str], seconds: int) -> dict[str, Any]:
    wrk = shutil.which("wrk") or "/usr/bin/wrk"
    argv = [wrk, "-t", "2", "-c", str(ICS_CONNECTIONS), "-d", f"{seconds}s", "--latency"]
    argv += ["--timeout", "5s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    done = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 30)
    return parse_wrk(done.stdout)


def _prepare_training(data: Path) -> None:
    """Migrate the gateway and training into the stage's folder and load training's demo data,
    from the same table of components as `make run`."""
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    from chassis.migrations import upgrade
    from platform_components import GATEWAY, SERVICES, resolve

    training = next(c for c in SERVICES if c.name == "training")
    for component in (GATEWAY, training):
        settings = resolve(component.settings)(data_dir=data, database_url="")
        upgrade(component.alembic_ini, settings.resolved_database_url())
    settings = resolve(training.settings)(data_dir=data, database_url="")
    assert training.demo is not None
    asyncio.run(resolve(training.demo)(settings))
