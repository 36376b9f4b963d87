"""The bench's tools (wrk, nginx, the open-loop generator) made present, and what it ran on."""

# The bench starts fixed programs (apt-get, gcc, git, wrk, nginx, the platform) with arguments
# it builds itself; nothing comes from outside the repository.
# ruff: noqa: S603, S607

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OPENLOOP_SOURCE = ROOT / "bench" / "openloop.c"
# Debian's package names; nginx-light is the smallest build with the proxy module.
APT_PACKAGES = {"wrk": "wrk", "nginx": "nginx-light"}
LIBRARIES = (
    "uvicorn",
    "uvloop",
    "httptools",
    "granian",
    "aiohttp",
    "httpx",
    "httpcore",
    "fastapi",
    "starlette",
    "pydantic",
    "structlog",
    "sqlalchemy",
    "aiosqlite",
)


def say(message: str) -> None:
    print(f"bench | {message}", file=sys.stderr, flush=True)


def ensure_packages() -> None:
    """Install wrk and nginx from Debian's packages when they are missing."""
    missing = [pkg for tool, pkg in APT_PACKAGES.items() if _which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(
            f"bench: needs {', '.join(missing)}: apt-get install -y {' '.join(missing)}"
        )
    say(f"installing {', '.join(missing)} from Debian's packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)


def _which(tool: str) -> str | None:
    return shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/bin")


def build_openloop(workdir: Path) -> Path:
    """Compile the open-loop generator for this machine (gcc, -O2) into the run's folder."""
    binary = workdir / "openloop"
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise SystemExit(
            "bench: needs a C compiler for the open-loop generator (apt-get install -y gcc)"
        )
    subprocess.run(
        [compiler, "-O2", "-Wall", "-o", str(binary), str(OPENLOOP_SOURCE)],
        check=True,
        capture_output=True,
    )
    return binary


def _first_line(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    return (done.stdout + done.stderr).strip().splitlines()[0]


def versions() -> dict[str, Any]:
    found: dict[str, Any] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    wrk = _first_line([_which("wrk") or "wrk", "--version"])
    found["wrk"] = m.group(1) if (m := re.search(r"wrk (\S+)", wrk)) else wrk
    nginx = _first_line([_which("nginx") or "nginx", "-v"])
    found["nginx"] = nginx.split("/", 1)[-1]
    found["gcc"] = _first_line([shutil.which("gcc") or "cc", "--version"])
    return found


def machine() -> dict[str, Any]:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "cpu": model,
        "kernel": platform.release(),
        "loadavg_at_start": os.getloadavg(),
    }


def git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    return {
        "revision": git("rev-parse", "HEAD"),
        "short": git("rev-parse", "--short", "HEAD"),
        # Others' edits count too: the figures belong to the tree as it was, not to the commit.
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


# Limits on, buckets checked per request as in production, but far above any rate measured here
# (one client, one address): the bench measures their cost, not their refusals.
_UNREACHED_LIMITS = {
    "rate_limit_client_per_second": "1000000000",
    "rate_limit_client_burst": "1000000000",
    "rate_limit_address_per_second": "1000000000",
    "rate_limit_address_burst": "1000000000",
}


def rate_limits_out_of_reach() -> dict[str, str]:
    from gateway.settings import GatewaySettings

    return {
        f"GATEWAY_{name.upper()}": value
        for name, value in _UNREACHED_LIMITS.items()
        if name in GatewaySettings.model_fields
    }
