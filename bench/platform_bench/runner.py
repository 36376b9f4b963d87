"""One bench session: start the fleet, run the shuffled rounds, write the JSON, print the table."""

# The bench starts fixed programs (wrk, the open-loop generator, py-spy) with arguments it builds.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from platform_bench import postgres, report, services_stage, tools
from platform_bench.processes import PY, ROOT, Fleet, free_ports, nginx_argv, nginx_config
from platform_bench.scenarios import (
    BASELINE,
    CATALOGUE_LIBRARIES,
    CATALOGUE_PATH,
    CONFIG_BY_NAME,
    CONFIGS,
    FULL,
    PG,
    PORTAL,
    PORTAL_HOME_PATH,
    PORTAL_PAGE_PATH,
    QUICK,
    SCENARIOS,
    STACKS,
    WIDGET_PATH,
    Loads,
    Scenario,
    path_for,
    process_for,
    service_for,
    sweep_for,
    warmup_scenarios,
)
from platform_bench.stats import (
    cpu_share,
    open_loop_rates,
    parse_statuses,
    parse_wrk,
    write_outcomes,
)
from platform_bench.tools import rate_limits_out_of_reach

RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(PY).parent
SCRIPTS = Path(__file__).resolve().parent
# Beyond the run's own length: wrk and the generator stop by themselves; this only guards a hang.
RUN_GRACE_SECONDS = 30
# Loaded into every wrk run that has no script of its own: prints the p95 that wrk's --latency
# distribution lacks (only a `done` function, so the requests stay wrk's static ones).
LATENCY_SCRIPT = SCRIPTS / "latency.lua"


@dataclass(frozen=True)
class Job:
    kind: str  # "closed" (wrk) or "open" (fixed rate)
    scenario: Scenario
    config: str
    connections: int = 0
    fraction: float = 0.0


def _json_log_env(prefix: str) -> dict[str, str]:
    # What production runs: JSON lines at INFO, one access line per request.
    return {f"{prefix}LOG_FORMAT": "json", f"{prefix}LOG_LEVEL": "INFO"}


class Session:
    """Everything one `make bench` holds: the fleet, the filled-in scenarios, the records."""

    def __init__(
        self,
        loads: Loads,
        workdir: Path,
        fleet: Fleet,
        seed: int,
        only: frozenset[str] = frozenset(),
    ) -> None:
        self.loads = loads
        # Scenario names to run (empty: all); the small reads always run, as every ratio's base.
        self.only = only | {"small-read", "small-read-pg"} if only else only
        self.workdir = workdir
        self.fleet = fleet
        # Shuffles the order of runs; nothing secret.
        self.random = random.Random(seed)  # noqa: S311
        self.seed = seed
        self.wrk = shutil.which("wrk") or "/usr/bin/wrk"
        self.openloop = tools.build_openloop(workdir)
        self.records: list[dict[str, Any]] = []
        self.settings: dict[str, Any] = {}
        self.headers: dict[str, dict[str, str]] = {}
        self.demo: dict[str, int] = {}
        self.write_libraries: list[str] = []
        self.widget: dict[str, Any] = {}
        self.portal: dict[str, Any] = {}
        self._etags: dict[str, str] = {}
        # The run's PostgreSQL database (name, URL), or None: then the "pg" scenarios are left out.
        self.postgres: tuple[str, str] | None = None
        self.scenarios: tuple[Scenario, ...] = SCENARIOS
        self._tokens: dict[str, str] = {}
        self._script_runs = 0

    # ------------------------------------------------------------------ set-up

    def start(self) -> None:
        names = [
            "svc",
            "svc_granian",
            "svc_cold",
            "gw",
            "gw_granian",
            "gw_cold",
            "nginx",
            "nginx_cold",
            "proxy_aiohttp",
            "proxy_httpx",
            "proxy_httpcore",
            "svc_pg",
            "svc_portal",
            "gw_portal",
        ]
        ports = dict(zip(names, free_ports(len(names)), strict=True))
        data = self.workdir / "data"
        data.mkdir()
        issuer = f"http://127.0.0.1:{ports['gw']}"
        svc_url = f"http://127.0.0.1:{ports['svc']}"
        service_env = {
            "CATALOGUE_HOST": "127.0.0.1",
            "CATALOGUE_DATA_DIR": str(data),
            # Empty: the SQLite file in the run's folder, whatever the caller's shell says.
            "CATALOGUE_DATABASE_URL": "",
            "CATALOGUE_AUTH__ISSUER": issuer,
            "CATALOGUE_AUTH__JWKS_URL": f"{issuer}/.well-known/jwks.json",
            **_json_log_env("CATALOGUE_"),
        }
        gateway_env = {
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_DATA_DIR": str(data),
            "GATEWAY_DATABASE_URL": "",
            "GATEWAY_ISSUER": issuer,
            # Every route prefix points at the bench's service: only /catalogue carries traffic,
            # and no request may reach a `make run` platform on 8001-8004.
            **{f"GATEWAY_{n.upper()}_URL": svc_url for n in ("training", "helpdesk", "kpi")},
            "GATEWAY_CATALOGUE_URL": svc_url,
            **_json_log_env("GATEWAY_"),
            **rate_limits_out_of_reach(),
        }
        self.postgres = postgres.create_database()
        if self.postgres is None:
            self.scenarios = tuple(s for s in SCENARIOS if s.stack != PG)
        if self.only:
            self.scenarios = tuple(s for s in self.scenarios if s.name in self.only)
        # kpi and its gateway only when a portal scenario is run.
        portal = any(s.stack == PORTAL for s in self.scenarios)
        tools.say("migrating, loading the catalogue's demo data, minting tokens")
        self.demo = _prepare_data(data, self.postgres[1] if self.postgres else None, kpi=portal)
        self._gateway_env = gateway_env
        tokens = self._mint_tokens()

        tools.say(f"starting the fleet (logs in {self.workdir})")
        granian = [str(VENV_BIN / "granian"), "--interface", "asgi", "--factory"]
        granian += ["--host", "127.0.0.1", "--workers", "1", "--loop", "uvloop", "--no-ws"]
        start = self.fleet.start
        # The gateways first: the services fetch the key set from the gateway on first use.
        for name, upstream in (("gw", "svc"), ("gw_cold", "svc_cold")):
            env = {**gateway_env, "GATEWAY_PORT": str(ports[name])}
            env["GATEWAY_CATALOGUE_URL"] = f"http://127.0.0.1:{ports[upstream]}"
            start(name, ports[name], [PY, "-m", "gateway", "serve"], env)
        start(
            "gw_granian",
            ports["gw_granian"],
            [*granian, "--port", str(ports["gw_granian"]), "gateway.app:create_app"],
            {**gateway_env, "GATEWAY_PORT": str(ports["gw_granian"])},
        )
        services = [("svc", ""), ("svc_cold", "cold")]
        if self.postgres is not None:
            STACKS[PG]["CATALOGUE_DATABASE_URL"] = self.postgres[1]
            services.append(("svc_pg", PG))
        for name, stack in services:
            env = {**service_env, **STACKS.get(stack, {}), "CATALOGUE_PORT": str(ports[name])}
            start(name, ports[name], [PY, "-m", "catalogue_licensing", "serve"], env)
        start(
            "svc_granian",
            ports["svc_granian"],
            [*granian, "--port", str(ports["svc_granian"]), "catalogue_licensing.app:create_app"],
            {**service_env, "CATALOGUE_PORT": str(ports["svc_granian"])},
        )
        for name, upstream in (("nginx", "svc"), ("nginx_cold", "svc_cold")):
            config = nginx_config(self.workdir, ports[name], ports[upstream], name=name)
            start(name, ports[name], nginx_argv(self.workdir, config, name=name), {})
        if portal:
            self._start_portal(ports, data, issuer, gateway_env)
        bench_path = {"PYTHONPATH": str(ROOT / "bench")}
        for client in ("aiohttp", "httpx", "httpcore"):
            name = f"proxy_{client}"
            argv = [PY, "-m", "platform_bench.miniproxy", "--client", client]
            argv += ["--port", str(ports[name]), "--upstream", svc_url]
            start(name, ports[name], argv, bench_path)

        self._fill_headers(tokens)
        self._etags = self._fetch_etags()
        self._fill_headers(tokens)
        self.write_libraries = self._pick_write_libraries(svc_url)
        self.settings = _settings_note(gateway_env, ports)
        self.widget = _size_note(svc_url + WIDGET_PATH)
        self.portal = self._portal_note() if portal else {}
        self._check_answers()

    def _start_portal(
        self, ports: dict[str, int], data: Path, issuer: str, gateway_env: dict[str, str]
    ) -> None:
        """The portal's stack: kpi with its demo data (migrated and loaded by `_prepare_data`)
        and a gateway of its own whose kpi route is that service, as `make run` wires them.
        The pages' embed snippets name the gateway (KPI_PUBLIC_URL): the same bytes, so the
        same ETag, whichever way a page is asked for."""
        gw_url = f"http://127.0.0.1:{ports['gw_portal']}"
        kpi_env = {
            "KPI_HOST": "127.0.0.1",
            "KPI_PORT": str(ports["svc_portal"]),
            "KPI_DATA_DIR": str(data),
            "KPI_DATABASE_URL": "",
            "KPI_AUTH__ISSUER": issuer,
            "KPI_AUTH__JWKS_URL": f"{issuer}/.well-known/jwks.json",
            "KPI_PUBLIC_URL": gw_url,
            **STACKS[PORTAL],
            **_json_log_env("KPI_"),
        }
        env = {**gateway_env, "GATEWAY_PORT": str(ports["gw_portal"])}
        env["GATEWAY_KPI_URL"] = f"http://127.0.0.1:{ports['svc_portal']}"
        self.fleet.start("gw_portal", ports["gw_portal"], [PY, "-m", "gateway", "serve"], env)
        self.fleet.start("svc_portal", ports["svc_portal"], [PY, "-m", "kpi", "serve"], kpi_env)

    def _portal_note(self) -> dict[str, Any]:
        """The portal's pages as a reader receives them in Bokmål: size, caching, ETag."""
        kpi_url = self.fleet["svc_portal"].url
        nb = {"Accept-Language": "nb"}
        return {
            name: _size_note(kpi_url + path, nb) | {"path": path}
            for name, path in (("page", PORTAL_PAGE_PATH), ("home", PORTAL_HOME_PATH))
        }

    def _fetch_etags(self) -> dict[str, str]:
        """The current ETag of each conditional scenario's resource, read from the service
        behind it with the scenario's own headers (the catalogue's tag depends on the
        language)."""
        etags = {}
        with httpx.Client(trust_env=False, timeout=5.0) as client:
            for scenario in self.scenarios:
                if scenario.etag_from is None:
                    continue
                headers = {
                    k: v
                    for k, v in self.headers[scenario.name].items()
                    if k.lower() != "if-none-match"
                }
                url = self.fleet[service_for(scenario)].url
                answer = client.get(url + scenario.etag_from, headers=as_wrk_asks(headers))
                answer.raise_for_status()
                etags[scenario.name] = answer.headers["etag"]
        return etags

    def _pick_write_libraries(self, svc_url: str) -> list[str]:
        """One library per connection of the widest write run, from the demo directory, never
        one whose catalogue is read (its ETag must not move during the run)."""
        needed = max((max(sweep_for(s, self.loads)) for s in self.scenarios if s.script), default=0)
        if needed == 0:
            return []
        admin = {"Authorization": f"Bearer {self._tokens['admin_token']}"}
        found: list[str] = []
        with httpx.Client(trust_env=False, timeout=5.0) as client:
            url: str | None = f"{svc_url}/v1/libraries?limit=100"
            while url is not None and len(found) < needed:
                answer = client.get(url, headers=admin)
                answer.raise_for_status()
                page = answer.json()
                found += [x["isil"] for x in page["items"] if x["isil"] not in CATALOGUE_LIBRARIES]
                cursor = page.get("next_cursor")
                url = f"{svc_url}/v1/libraries?limit=100&cursor={cursor}" if cursor else None
        if len(found) < needed:
            raise RuntimeError(
                f"the demo directory has {len(found)} libraries to write, not {needed}"
            )
        return found[:needed]

    def _mint_tokens(self) -> dict[str, str]:
        """Fresh tokens from the gateway's command line, with their default lifetime (the
        gateway bounds it), so a long run renews them each round: an operator's for the reads,
        a programme administrator's for the writes."""
        tokens = {}
        for key, role in (("token", "operator"), ("admin_token", "programme_admin")):
            done = subprocess.run(
                [PY, "-m", "gateway", "token", "--role", role],
                env={**os.environ, **self._gateway_env},
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise RuntimeError(f"gateway token --role {role} failed: {done.stderr.strip()}")
            tokens[key] = done.stdout.strip()
        self._tokens = tokens
        return tokens

    def _fill_headers(self, tokens: dict[str, str]) -> None:
        for scenario in self.scenarios:
            fill = {**tokens, "etag": self._etags.get(scenario.name, "")}
            self.headers[scenario.name] = {
                name: value.format(**fill) for name, value in scenario.headers.items()
            }

    def _url(self, scenario: Scenario, config_name: str) -> tuple[int, str]:
        config = CONFIG_BY_NAME[config_name]
        return self.fleet[process_for(config, scenario)].port, path_for(config, scenario)

    def _check_answers(self) -> None:
        """Each configuration answers each scenario as expected before anything is timed: a 401
        or a 404 measured fast would be a figure of nothing."""
        with httpx.Client(trust_env=False, timeout=5.0) as client:
            for scenario in self.scenarios:
                for name in (*scenario.configs, *scenario.variant_configs):
                    port, path = self._url(scenario, name)
                    if scenario.script is not None:
                        self._check_write(client, f"http://127.0.0.1:{port}{path}", scenario)
                        continue
                    own = CONFIG_BY_NAME[name].own_path is not None
                    answer = client.get(
                        f"http://127.0.0.1:{port}{path}",
                        headers=as_wrk_asks({} if own else self.headers[scenario.name]),
                    )
                    expected = 200 if own else scenario.expect_status
                    if answer.status_code != expected:
                        raise RuntimeError(
                            f"{name} answered {scenario.name} with {answer.status_code}, "
                            f"not {expected}: {answer.text[:300]}"
                        )
            # The cold stack serves the same data: the same bytes, so the same ETag.
            cold = [s for s in self.scenarios if s.stack and s.path == CATALOGUE_PATH]
            if cold and "catalogue-304" in self._etags:
                port, path = self._url(cold[0], BASELINE)
                answer = client.get(
                    f"http://127.0.0.1:{port}{path}",
                    headers=as_wrk_asks(self.headers[cold[0].name]),
                )
                if answer.headers.get("etag") != self._etags["catalogue-304"]:
                    raise RuntimeError("the cold stack answers the catalogue with another ETag")

    def _check_write(self, client: httpx.Client, base: str, scenario: Scenario) -> None:
        """Through this configuration: a PATCH with the current ETag is applied (200, a new
        ETag) and one with the old ETag is refused (412), so the timed writes are real
        conditional writes. On the last library, which only the widest run writes."""
        url = base + self.write_libraries[-1]
        headers = self.headers[scenario.name]
        current = client.get(url, headers=headers)
        current.raise_for_status()
        old = current.headers["etag"]
        changed = client.patch(
            url,
            headers={**headers, "If-Match": old},
            json={"name": f"Bench check {time.monotonic_ns()}"},
        )
        stale = client.patch(url, headers={**headers, "If-Match": old}, json={"name": "Stale"})
        if changed.status_code != 200 or changed.headers.get("etag") in (None, old):
            raise RuntimeError(
                f"{base}: a write with the current ETag answered {changed.status_code}: "
                f"{changed.text[:300]}"
            )
        if stale.status_code != 412:
            raise RuntimeError(
                f"{base}: a write with a stale ETag answered {stale.status_code}, not 412"
            )

    # ------------------------------------------------------------------ runs

    def _cpu(self) -> dict[str, float]:
        return {name: s.cpu_seconds() for name, s in self.fleet.started.items()}

    def _timed(self, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Run one load, adding the generator's CPU (from the reaped child's usage) and each
        server process's CPU over it."""
        servers_before = self._cpu()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        figures = run()
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        servers_after = self._cpu()
        client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        figures["client_cpu_s"] = round(client_cpu, 3)
        figures["client_cpu_share"] = cpu_share(client_cpu, wall)
        figures["server_cpu_s"] = {
            name: round(servers_after[name] - servers_before[name], 2) for name in servers_after
        }
        return figures

    def closed(
        self, scenario: Scenario, config: str, connections: int, seconds: int
    ) -> dict[str, Any]:
        port, path = self._url(scenario, config)
        own = CONFIG_BY_NAME[config].own_path is not None
        # Two threads drive static requests; a script gets one thread per connection, so each
        # connection keeps its own state (its library and ETag).
        threads = connections if scenario.script else min(2, connections)
        argv = [self.wrk, "-t", str(threads), "-c", str(connections)]
        argv += ["-d", f"{seconds}s", "--latency", "--timeout", "5s"]
        for name, value in ({} if own else self.headers[scenario.name]).items():
            argv += ["-H", f"{name}: {value}"]
        argv += ["-s", str(SCRIPTS / scenario.script if scenario.script else LATENCY_SCRIPT)]
        argv.append(f"http://127.0.0.1:{port}{path}")
        if scenario.script:
            self._script_runs += 1
            # A token unique to this run keeps every name new; one library per connection.
            argv += ["--", f"{self.seed}-{self._script_runs}", *self.write_libraries[:connections]]

        def run() -> dict[str, Any]:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=seconds + RUN_GRACE_SECONDS
            )
            figures = parse_wrk(done.stdout)
            if scenario.script:
                figures["statuses"] = parse_statuses(done.stdout)
                figures["writes"] = write_outcomes(figures["statuses"])
            return figures

        return self._timed(run)

    def open(self, scenario: Scenario, config: str, rate: float) -> dict[str, Any]:
        port, path = self._url(scenario, config)
        own = CONFIG_BY_NAME[config].own_path is not None
        argv = [str(self.openloop), "-p", str(port), "-r", f"{rate:.0f}"]
        argv += ["-d", str(self.loads.seconds), "-c", str(self.loads.open_loop_connections)]
        for name, value in ({} if own else self.headers[scenario.name]).items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(path)

        def run() -> dict[str, Any]:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=self.loads.seconds + RUN_GRACE_SECONDS
            )
            if done.returncode != 0:
                raise RuntimeError(f"openloop failed: {done.stderr.strip()}")
            raw = json.loads(done.stdout)
            latency = {k: v / 1000 for k, v in raw["latency_us"].items()}
            status = raw["status"]
            errors = dict(raw["errors"])
            errors["non_2xx_3xx"] = status["1xx"] + status["4xx"] + status["5xx"] + status["other"]
            return {
                "rps": raw["achieved_rps"],
                "requests": raw["completed"],
                "latency_ms": latency,
                "errors": errors,
                "max_backlog": raw["max_backlog"],
                "generator": raw,
            }

        return self._timed(run)

    def round(self, number: int) -> None:
        loads = self.loads
        by_config: dict[str, list[Job]] = {}
        for scenario in self.scenarios:
            for name in scenario.configs:
                for c in sweep_for(scenario, loads):
                    by_config.setdefault(name, []).append(Job("closed", scenario, name, c))
            for name in scenario.variant_configs:
                for c in loads.variant_connections:
                    by_config.setdefault(name, []).append(Job("closed", scenario, name, c))
        self._fill_headers(self._mint_tokens())
        order = list(by_config)
        self.random.shuffle(order)
        tools.say(f"round {number}: closed loop, order {' '.join(order)}")
        for name in order:
            jobs = by_config[name]
            self.random.shuffle(jobs)
            # Warm each configuration (pools, caches, first-use imports) before timing it, on
            # each stack it is measured on, with a read where there is one.
            for warm in warmup_scenarios(job.scenario for job in jobs):
                self.closed(warm, name, 16, loads.warmup_seconds)
            for job in jobs:
                self._record(
                    number, job, self.closed(job.scenario, name, job.connections, loads.seconds)
                )

        capacity = max(
            (
                r["rps"]
                for r in self.records
                if r["round"] == number
                and r["kind"] == "closed"
                and r["config"] == BASELINE
                and r["scenario"] == _fixed_rate_scenario().name
            ),
            default=0.0,
        )
        fixed = [
            Job("open", scenario, name, fraction=f)
            for scenario in self.scenarios
            if scenario.fixed_rate
            for name in scenario.configs
            for f in loads.fractions
        ]
        self.random.shuffle(fixed)
        rates = open_loop_rates(capacity, loads.fractions)
        tools.say(
            f"round {number}: fixed rate, D's capacity {capacity:.0f}/s -> "
            + ", ".join(f"{f:.0%} = {r:.0f}/s" for f, r in rates.items())
        )
        for job in fixed:
            figures = self.open(job.scenario, job.config, rates[job.fraction])
            figures["rate"] = rates[job.fraction]
            self._record(number, job, figures)

    def _record(self, number: int, job: Job, figures: dict[str, Any]) -> None:
        record = {
            "round": number,
            "kind": job.kind,
            "scenario": job.scenario.name,
            "config": job.config,
            "connections": job.connections
            if job.kind == "closed"
            else self.loads.open_loop_connections,
            "fraction": job.fraction if job.kind == "open" else None,
            **figures,
        }
        # CPU per request of the process the client talks to and of the service behind it:
        # steadier than throughput on a shared machine, and what a proxy adds is visible in it.
        served = max(1, figures["requests"])
        front = process_for(CONFIG_BY_NAME[job.config], job.scenario)
        cpu = figures["server_cpu_s"]
        record["front_cpu_us_per_request"] = round(cpu[front] / served * 1e6, 1)
        record["service_cpu_us_per_request"] = round(
            cpu[service_for(job.scenario)] / served * 1e6, 1
        )
        self.records.append(record)

    # ------------------------------------------------------------------ profile

    def profile(self, stamp: str) -> dict[str, Any]:
        """py-spy on the gateway while wrk drives G's small read at 16 connections: a flame graph
        for people, collapsed stacks for the summary in the report."""
        scenario = _fixed_rate_scenario()
        pid = self.fleet["gw"].process.pid
        seconds = max(5, self.loads.seconds * 2)
        RESULTS.mkdir(parents=True, exist_ok=True)
        outputs = {}
        for fmt, suffix in (("flamegraph", "svg"), ("raw", "txt")):
            out = RESULTS / f"profile-{stamp}-G-{scenario.name}.{suffix}"
            spy = subprocess.Popen(
                [
                    str(VENV_BIN / "py-spy"),
                    "record",
                    "--pid",
                    str(pid),
                    "--duration",
                    str(seconds),
                    "--rate",
                    "250",
                    "--format",
                    fmt,
                    "--output",
                    str(out),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            time.sleep(0.5)
            self.closed(scenario, "G", 16, seconds)
            _, err = spy.communicate(timeout=seconds + RUN_GRACE_SECONDS)
            if spy.returncode != 0:
                raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-500:]}")
            outputs[fmt] = str(out.relative_to(ROOT))
        return {"files": outputs, "top": report.profile_summary(ROOT / outputs["raw"])}


def _fixed_rate_scenario() -> Scenario:
    return next(s for s in SCENARIOS if s.fixed_rate)


def _prepare_data(data: Path, postgres_url: str | None, *, kpi: bool = False) -> dict[str, int]:
    """Migrate the gateway and the catalogue into the run's folder and load the catalogue's demo
    data, in this process and from the same table of components as `make run`
    (scripts/run_platform.py): the same alembic.ini files and the same demo loader. The same
    for the catalogue on the run's PostgreSQL database, when there is one, and for kpi when
    the portal's pages are measured (its demo publishes the datasets the portal shows)."""
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    from chassis.migrations import upgrade
    from platform_components import GATEWAY, SERVICES, resolve

    catalogue = next(c for c in SERVICES if c.name == "catalogue")
    kpi_component = next(c for c in SERVICES if c.name == "kpi")
    loaded: dict[str, int] = {}
    targets = [(GATEWAY, ""), (catalogue, "")]
    if postgres_url is not None:
        targets.append((catalogue, postgres_url))
    if kpi:
        targets.append((kpi_component, ""))
    for component, url in targets:
        # Settings given here, not read from the caller's environment: the run's own files.
        settings = resolve(component.settings)(data_dir=data, database_url=url)
        upgrade(component.alembic_ini, settings.resolved_database_url())
        if component is catalogue and component.demo is not None:
            loaded = asyncio.run(resolve(component.demo)(settings))
        elif component is kpi_component and component.demo is not None:
            asyncio.run(resolve(component.demo)(settings))
    return loaded


def _settings_note(gateway_env: dict[str, str], ports: dict[str, int]) -> dict[str, Any]:
    """What G ran with, from the gateway's own settings model."""
    from gateway.settings import GatewaySettings

    prefix = "GATEWAY_"
    explicit = {k.removeprefix(prefix).lower(): v for k, v in gateway_env.items()}
    explicit["port"] = str(ports["gw"])
    settings = GatewaySettings.model_validate(explicit)
    dumped = settings.safe_dump()
    rate_limits = {k: v for k, v in dumped.items() if "rate" in k or "limit" in k}
    return {
        "gateway": {k: dumped[k] for k in sorted(dumped) if k != "auth"},
        "gateway_notes": [
            "server: uvicorn, one worker, uvloop + httptools (the kit's serve_app)",
            "every proxied request carries a bearer token, verified at the edge (RS256)",
            "JSON access line per request at INFO, to a file",
            "upstream timeouts: "
            f"connect {dumped['upstream_connect_timeout_seconds']} s, "
            f"read {dumped['upstream_read_timeout_seconds']} s, "
            f"total {dumped['upstream_total_timeout_seconds']} s; "
            f"pool {dumped['upstream_pool_size']}",
            ("rate limits: " + json.dumps(rate_limits))
            if rate_limits
            else "rate limits: none in this revision (no rate-limit setting in GatewaySettings)",
        ],
        "service": "catalogue-licensing with its demo data, served by "
        "`python -m catalogue_licensing serve` (uvicorn, uvloop + httptools), SQLite; "
        "catalogue cache at its defaults (generation trusted 1 s, 10 000 entries)",
        "cold_stack": "svc_cold, nginx_cold, gw_cold: the same, the service with "
        + ", ".join(f"{k}={v}" for k, v in STACKS["cold"].items()),
        "portal_stack": "svc_portal: kpi with its demo data, `python -m kpi serve`, SQLite, "
        "portal cache at its defaults (generation trusted 1 s, 2 000 pages), KPI_PUBLIC_URL the "
        "gateway's; gw_portal: the same gateway settings, its kpi route to svc_portal "
        "(started only when a portal scenario runs)",
        "nginx": "1 worker, upstream keepalive 128, access log buffered",
        "granian": "granian --interface asgi --workers 1 --loop uvloop (the app factory)",
        "open_loop_generator": "bench/openloop.c, epoll, compiled with gcc -O2",
        "ports": ports,
    }


def as_wrk_asks(headers: dict[str, str]) -> dict[str, str]:
    """A scenario's headers as wrk sends them: httpx offers gzip by itself, wrk only when the
    scenario says so, and a gzipped answer has an ETag of its own."""
    if any(name.lower() == "accept-encoding" for name in headers):
        return dict(headers)
    return {**headers, "Accept-Encoding": "identity"}


def _size_note(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An answer as a visitor receives it (the catalogue widget's script, a portal page): its
    size, its size as the service sends it gzipped to a browser, and how long it may be held."""
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        plain = client.get(url, headers={**(headers or {}), "Accept-Encoding": "identity"})
        packed = client.get(url, headers={**(headers or {}), "Accept-Encoding": "gzip"})
    plain.raise_for_status()
    packed.raise_for_status()
    if packed.headers.get("content-encoding") != "gzip":
        raise RuntimeError(f"{url} is not sent gzipped to a browser that accepts it")
    return {
        "bytes": len(plain.content),
        # On the wire: httpx has unpacked .content already.
        "gzip_bytes": int(packed.headers["content-length"]),
        "cache_control": plain.headers.get("cache-control"),
        "vary": plain.headers.get("vary"),
        "etag": plain.headers.get("etag"),
    }


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK") == "1",
        help="one short round (a smoke run of about two minutes); BENCH_QUICK=1 too",
    )
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    parser.add_argument("--seconds", type=int, help="override the length of each run")
    parser.add_argument(
        "--profile",
        action="store_true",
        default=os.environ.get("BENCH_PROFILE") == "1",
        help="afterwards, profile the gateway with py-spy (BENCH_PROFILE=1 too)",
    )
    parser.add_argument("--seed", type=int, default=int(time.time()), help="shuffle seed")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs, data)")
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ""),
        help="comma-separated scenario names, for working on a few (BENCH_ONLY= too); the "
        "small reads always run, and goals whose rows are missing say 'not measured'",
    )
    parser.add_argument(
        "--stages",
        default=os.environ.get("BENCH_STAGES", "platform,services"),
        help="comma-separated: platform (the gateway and the catalogue), services (the "
        "services' own scripts: search, the .ics feed, kpi); BENCH_STAGES= too",
    )
    parser.add_argument(
        "--services",
        default=os.environ.get("BENCH_SERVICES", ",".join(services_stage.GROUPS)),
        help="the services stage's groups: search, ics, kpi (BENCH_SERVICES= too)",
    )
    args = parser.parse_args(argv)
    args.stages = {name.strip() for name in args.stages.split(",") if name.strip()}
    unknown = args.stages - {"platform", "services"}
    if unknown or not args.stages:
        parser.error(f"--stages: platform and/or services, not {sorted(unknown) or 'nothing'}")
    args.services = {name.strip() for name in args.services.split(",") if name.strip()}
    if args.services - set(services_stage.GROUPS):
        parser.error(f"--services: {', '.join(services_stage.GROUPS)}")
    return args


def _services_stage(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    loads = services_stage.QUICK if args.quick else services_stage.FULL
    if args.rounds:
        loads = replace(loads, rounds=args.rounds)
    stage = services_stage.ServicesStage(
        loads, workdir, args.seed, quick=args.quick, groups=args.services
    )
    return stage.run()


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    only = frozenset(name.strip() for name in args.only.split(",") if name.strip())
    stages = args.stages

    loads = QUICK if args.quick else FULL
    if args.rounds:
        loads = replace(loads, rounds=args.rounds)
    if args.seconds:
        loads = replace(loads, seconds=args.seconds)
    tools.ensure_packages()
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    git = tools.git_state()
    workdir = Path(tempfile.mkdtemp(prefix="platform-bench-"))
    failed = True
    session: Session | None = None
    services: dict[str, Any] = {}
    profile = None
    try:
        if "platform" in stages:
            with Fleet(workdir) as fleet:
                session = Session(loads, workdir, fleet, args.seed, only)
                session.start()
                for number in range(1, loads.rounds + 1):
                    session.round(number)
                profile = session.profile(f"{stamp}-{git['short']}") if args.profile else None
            if session.postgres is not None:
                postgres.drop_database(session.postgres[0])
                session.postgres = None
        if "services" in stages:
            services = _services_stage(args, workdir)
        records = session.records if session is not None else []
        summary = report.summarise(records)
        result = {
            "started_at": started_at.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "git": git,
            "versions": tools.versions(),
            "machine": tools.machine(),
            "loads": asdict(loads),
            "seed": args.seed,
            "configs": [asdict(c) for c in CONFIGS],
            "scenarios": [asdict(s) | {"headers": sorted(s.headers)} for s in session.scenarios]
            if session is not None
            else [],
            "settings": session.settings if session is not None else {},
            "widget": session.widget if session is not None else {},
            "portal": session.portal if session is not None else {},
            "records": records,
            "summary": summary,
            "profile": profile,
            "stages": sorted(stages),
            "services": services,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"{stamp}-{git['short']}{'-dirty' if git['dirty'] else ''}.json"
        out.write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(report.render(result))
        tools.say(f"figures written to {out.relative_to(ROOT)}")
        failed = False
    finally:
        if session is not None and session.postgres is not None:
            postgres.drop_database(session.postgres[0])
        if failed or args.keep:
            tools.say(f"run folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
