"""`make run`: migrate every component, load the demo data, start the four services and the gateway.

Every process runs on the embedded default (SQLite files under one data folder). Ctrl-C (SIGINT)
or SIGTERM stops them all within a few seconds. Ports, host and the data folder are settings
(PLATFORM_* environment variables); each component still reads its own prefix for the rest.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict

from chassis.migrations import upgrade
from platform_components import GATEWAY, SERVICES, Component, resolve

ROOT = Path(__file__).resolve().parents[1]
STOP_GRACE_SECONDS = 4.0
READY_TIMEOUT_SECONDS = 60.0
# Written by the gateway's demo loader (gateway/src/gateway/cli/demo.py, DEMO_FILE).
DEMO_CLIENTS_FILE = "demo-clients.json"


class LauncherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLATFORM_")

    host: str = "127.0.0.1"
    data_dir: Path = ROOT / "var" / "data"
    gateway_port: int = 8000
    catalogue_port: int = 8001
    training_port: int = 8002
    helpdesk_port: int = 8003
    kpi_port: int = 8004
    log_format: str = "auto"
    # Skip migrations and demo data (they are idempotent, but a restart is quicker without).
    skip_setup: bool = False


def component_env(settings: LauncherSettings, component: Component) -> dict[str, str]:
    """The environment that wires one component to the others on this machine."""
    gateway_url = f"http://{settings.host}:{settings.gateway_port}"
    port = getattr(settings, f"{component.name}_port")
    log_format = settings.log_format
    if log_format == "auto":
        log_format = "console" if sys.stderr.isatty() else "json"
    p = component.prefix
    env = {
        f"{p}HOST": settings.host,
        f"{p}PORT": str(port),
        f"{p}DATA_DIR": str(settings.data_dir),
        f"{p}LOG_FORMAT": log_format,
    }
    if component is GATEWAY:
        env["GATEWAY_ISSUER"] = gateway_url
        env["GATEWAY_PUBLIC_URL"] = gateway_url
        for service in SERVICES:
            service_port = getattr(settings, f"{service.name}_port")
            env[f"GATEWAY_{service.name.upper()}_URL"] = f"http://{settings.host}:{service_port}"
    else:
        env[f"{p}AUTH__ISSUER"] = gateway_url
        env[f"{p}AUTH__JWKS_URL"] = f"{gateway_url}/.well-known/jwks.json"
    if component.name == "kpi":
        # The data portal's embed snippets name the gateway, where readers reach the charts.
        env["KPI_PUBLIC_URL"] = gateway_url
        env.update(harvest_env(settings, gateway_url))
    return env


def harvest_env(settings: LauncherSettings, gateway_url: str) -> dict[str, str]:
    """kpi harvests the catalogue's, training's and helpdesk's events feeds from each service,
    with a token the gateway issues to the demo analyst client (the feeds are for analysts and
    operators). Before
    the gateway's demo clients exist (the first setup), nothing: the launch reads it again."""
    clients = settings.data_dir / DEMO_CLIENTS_FILE
    if not clients.exists():
        return {}
    analyst = json.loads(clients.read_text(encoding="utf-8")).get("analyst")
    if not isinstance(analyst, dict):
        return {}
    return {
        "KPI_HARVEST__CATALOGUE_URL": f"http://{settings.host}:{settings.catalogue_port}",
        "KPI_HARVEST__TRAINING_URL": f"http://{settings.host}:{settings.training_port}",
        "KPI_HARVEST__HELPDESK_URL": f"http://{settings.host}:{settings.helpdesk_port}",
        "KPI_HARVEST__TOKEN_URL": f"{gateway_url}/auth/token",
        "KPI_HARVEST__CLIENT_ID": str(analyst["client_id"]),
        "KPI_HARVEST__CLIENT_SECRET": str(analyst["client_secret"]),
    }


def say(message: str) -> None:
    print(f"platform | {message}", file=sys.stderr, flush=True)


def prepare(settings: LauncherSettings, components: tuple[Component, ...]) -> None:
    """Migrate every component and load its demo data, in this process.

    Each is idempotent. Done here rather than by `python -m <package> migrate` per component:
    importing the stack costs seconds per process on a small machine.
    """
    for component in components:
        os.environ.update(component_env(settings, component))
    for component in components:
        component_settings = component.load_settings()
        upgrade(component.alembic_ini, component_settings.resolved_database_url())
        if component.demo is not None:
            asyncio.run(resolve(component.demo)(component_settings))


async def pump(name: str, stream: asyncio.StreamReader) -> None:
    width = max(len(c.name) for c in (*SERVICES, GATEWAY))
    while line := await stream.readline():
        sys.stderr.write(f"{name:<{width}} | {line.decode(errors='replace')}")
        sys.stderr.flush()


async def wait_ready(
    settings: LauncherSettings,
    stopping: asyncio.Event,
    processes: dict[str, asyncio.subprocess.Process],
) -> bool:
    url = f"http://{settings.host}:{settings.gateway_port}/health"
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline and not stopping.is_set():
            if any(p.returncode is not None for p in processes.values()):
                return False
            try:
                if (await client.get(url)).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    return False


async def stop_all(processes: dict[str, asyncio.subprocess.Process]) -> None:
    for process in processes.values():
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    waits = [asyncio.wait_for(p.wait(), STOP_GRACE_SECONDS) for p in processes.values()]
    for name, outcome in zip(
        processes, await asyncio.gather(*waits, return_exceptions=True), strict=True
    ):
        if isinstance(outcome, TimeoutError):
            say(f"{name} did not stop in {STOP_GRACE_SECONDS:.0f}s; killing it")
            processes[name].kill()
            await processes[name].wait()


async def watch(exits: dict[asyncio.Task[int], str], stop_wait: asyncio.Task[bool]) -> None:
    """Run until Ctrl-C or the gateway exits. A service that dies is reported and left down, as
    in production: the gateway answers its routes with 503 while the others go on serving."""
    pending: set[asyncio.Task[Any]] = {stop_wait, *exits}
    while True:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if stop_wait in done:
            return
        for task in done:
            name = exits[task]
            if name == GATEWAY.name:
                return
            say(
                f"{name} exited (code {task.result()}); the gateway answers its routes with 503, "
                "the other services keep serving; Ctrl-C stops everything"
            )


async def main() -> int:
    settings = LauncherSettings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    components = (*SERVICES, GATEWAY)
    if not settings.skip_setup:
        say(f"applying migrations and loading demo data (data in {settings.data_dir})")
        await asyncio.to_thread(prepare, settings, components)
        say(f"demo API clients: {settings.data_dir / 'demo-clients.json'}")

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)

    processes: dict[str, asyncio.subprocess.Process] = {}
    pumps = []
    for component in components:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            component.package,
            "serve",
            env={**os.environ, **component_env(settings, component)},
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            # Own session: a terminal's Ctrl-C reaches the launcher, which stops the children in order.
            start_new_session=True,
        )
        processes[component.name] = process
        assert process.stdout is not None
        pumps.append(asyncio.create_task(pump(component.name, process.stdout)))

    exits = {asyncio.create_task(p.wait()): name for name, p in processes.items()}
    stop_wait = asyncio.create_task(stopping.wait())
    failed = False
    if await wait_ready(settings, stopping, processes):
        base = f"http://{settings.host}:{settings.gateway_port}"
        say(f"ready: gateway {base} (contract {base}/openapi.json, docs {base}/docs)")
        say("get a token: make token ROLE=operator; stop: Ctrl-C")
        await watch(exits, stop_wait)
    if not stopping.is_set():
        # Not asked to stop: the gateway died, or the platform never became ready.
        failed = True
        crashed = [n for n, p in processes.items() if p.returncode is not None]
        say(f"stopping everything: {', '.join(crashed) or 'not ready in time'}; see the logs above")
    say("stopping")
    await stop_all(processes)
    await asyncio.gather(*pumps, return_exceptions=True)
    for task in (stop_wait, *exits):
        task.cancel()
    say("stopped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
