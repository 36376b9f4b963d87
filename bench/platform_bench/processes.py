"""The processes a bench run starts (services, gateways, nginx, minimal proxies) and stops again.

Every process gets a free loopback port (never 8000-8004, which `make run` and the process tests
use), a temporary data folder, its own session so that it and its children stop together, and a
log file in the run's folder. `Fleet` is a context manager: leaving it, by an error or Ctrl-C
too, stops every process it started.
"""

# The bench starts fixed programs (apt-get, gcc, git, wrk, nginx, the platform) with arguments
# it builds itself; nothing comes from outside the repository.
# ruff: noqa: S603

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
STOP_GRACE_SECONDS = 5.0
READY_TIMEOUT_SECONDS = 60.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_ports(count: int) -> list[int]:
    """Ports the kernel hands out as free right now (from the ephemeral range, so never 8000-8004)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children so far (from /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        # The command name may contain spaces; the fields after its closing parenthesis do not.
        fields = f.read().rsplit(b")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / _CLOCK_TICKS


def group_cpu_seconds(pid: int) -> float:
    """CPU of a process plus its live children (nginx's worker), by parent id."""
    total = process_cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(b")", 1)[1].split()[1]) == pid:
            total += process_cpu_seconds(int(entry.name))
    return total


@dataclass
class Started:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        return group_cpu_seconds(self.process.pid)


class Fleet:
    """The started processes by name; stops them all on exit."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.started: dict[str, Started] = {}

    def __enter__(self) -> Fleet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()

    def __getitem__(self, name: str) -> Started:
        return self.started[name]

    def start(
        self,
        name: str,
        port: int,
        argv: list[str],
        env: Mapping[str, str],
        ready_path: str | None = "/health/live",
    ) -> Started:
        log = self.workdir / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                argv,
                env={**os.environ, **env},
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Own session: stopping the group stops nginx's worker too, and a Ctrl-C in the
                # terminal reaches only the harness, which then stops everything in order.
                start_new_session=True,
            )
        started = Started(name, port, process, log)
        self.started[name] = started
        if ready_path is not None:
            self._wait_ready(started, ready_path)
        return started

    def _wait_ready(self, started: Started, path: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if started.process.poll() is not None:
                    raise RuntimeError(
                        f"{started.name} exited with {started.process.returncode}; "
                        f"its log:\n{started.log.read_text(errors='replace')[-3000:]}"
                    )
                try:
                    if client.get(started.url + path).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        raise RuntimeError(f"{started.name} not ready within {READY_TIMEOUT_SECONDS:.0f}s")

    def stop_all(self) -> None:
        for started in self.started.values():
            if started.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(started.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for started in self.started.values():
            try:
                started.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(started.process.pid, signal.SIGKILL)
                started.process.wait()
        self.started.clear()


def nginx_config(workdir: Path, listen_port: int, upstream_port: int, name: str = "nginx") -> Path:
    """One worker, upstream keep-alive, buffered access log: nginx as it would run in front of a
    service, everything it writes inside the run's folder (under `name`, so that two can run)."""
    temp = workdir / f"{name}-temp"
    temp.mkdir(exist_ok=True)
    config = workdir / f"{name}.conf"
    config.write_text(
        f"""
worker_processes 1;
daemon off;
pid {workdir}/{name}.pid;
error_log {workdir}/{name}-error.log warn;
user root;
events {{ worker_connections 4096; }}
http {{
    access_log {workdir}/{name}-access.log combined buffer=64k flush=1s;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    upstream service {{
        server 127.0.0.1:{upstream_port};
        keepalive 128;
        keepalive_timeout 4s;
        keepalive_requests 1000000;
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        keepalive_requests 1000000;
        location / {{
            proxy_pass http://service;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""
    )
    return config


def nginx_argv(workdir: Path, config: Path, name: str = "nginx") -> list[str]:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    error_log = workdir / f"{name}-error.log"
    return [binary, "-p", str(workdir), "-e", str(error_log), "-c", str(config)]
