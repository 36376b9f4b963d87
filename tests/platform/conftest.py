"""The whole platform as `make run` starts it: real processes on loopback, a data folder of its own."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("catalogue", "training", "helpdesk", "kpi")
START_TIMEOUT_SECONDS = 90


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@dataclass
class Platform:
    process: subprocess.Popen
    data_dir: Path
    ports: dict
    log: Path

    @property
    def gateway(self):
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def service(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def cli_token(self, role, *scope):
        """A token as `make token ROLE=...` prints it (a process of its own: seconds here)."""
        env = {**os.environ, "GATEWAY_DATA_DIR": str(self.data_dir), "GATEWAY_ISSUER": self.gateway}
        out = subprocess.run(
            [sys.executable, "-m", "gateway", "token", "--role", role, *scope],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return out.stdout.strip()

    def token(self, role):
        """A token like `cli_token`'s, minted in this process with the platform's signing key."""
        from gateway.keys import load_signing_key
        from gateway.scopes import Scope
        from gateway.settings import GatewaySettings
        from gateway.tokens import mint_token

        settings = GatewaySettings(data_dir=self.data_dir, issuer=self.gateway)
        return mint_token(
            load_signing_key(settings.resolved_signing_key_file()),
            issuer=settings.issuer,
            audience=settings.audience,
            subject=f"test-{role}",
            role=role,
            scope=Scope(),
            ttl_seconds=300,
        )

    def demo_clients(self):
        return json.loads((self.data_dir / "demo-clients.json").read_text())


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("platform")
    ports = dict(zip(("gateway", *SERVICES), free_ports(5), strict=True))
    env = {
        **os.environ,
        "PLATFORM_DATA_DIR": str(data_dir),
        "PLATFORM_LOG_FORMAT": "json",
        **{f"PLATFORM_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    log = data_dir / "platform.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/run_platform.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Platform(process, data_dir, ports, log)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{running.gateway}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"platform did not start:\n{log.read_text()[-4000:]}")
    yield running
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def operator_token(platform):
    return platform.token("operator")
