"""The whole platform as `make run` starts it: real processes on loopback, a data folder of its own.

Imported by the tests here (this folder is on pytest's pythonpath); the fixture is in conftest.py.

The folder, the ports and so the issuer URL are fixed when this module loads, so tokens can be
minted before the processes run (schemathesis applies auth while it collects its cases).
"""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from platform_components import SERVICES as PLATFORM_SERVICES

ROOT = Path(__file__).resolve().parents[2]
SERVICES = tuple(service.name for service in PLATFORM_SERVICES)
# Five processes migrating and starting on a shared 2-core machine took up to about 90 s under
# other work's load; twice that before calling it a failure.
START_TIMEOUT_SECONDS = 180


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
    data_dir: Path
    ports: dict
    process: subprocess.Popen | None = None
    _signer: tuple | None = None

    @property
    def log(self):
        return self.data_dir / "platform.log"

    @property
    def gateway(self):
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def service(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def environment(self):
        """What `make run` (and `make token`) read: this platform's folder and ports."""
        return {
            **os.environ,
            "PLATFORM_DATA_DIR": str(self.data_dir),
            **{f"PLATFORM_{name.upper()}_PORT": str(port) for name, port in self.ports.items()},
        }

    def cli_token(self, role, *scope):
        """A token as `make token ROLE=...` prints it, by the same script and settings (a
        process of its own: seconds here). Its issuer is this platform's gateway port."""
        out = subprocess.run(
            [sys.executable, "scripts/platform_token.py", "--role", role, *scope],
            env=self.environment(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return out.stdout.strip()

    def token(self, role):
        """A token like `cli_token`'s, minted in this process with the platform's signing key
        (which the gateway would create on start, and loads when it is there already)."""
        from gateway.keys.signing_key import load_signing_key
        from gateway.scopes import Scope
        from gateway.settings import GatewaySettings
        from gateway.tokens import mint_token

        if self._signer is None:
            # Read once: the fuzz asks for a token again after every 401 it provokes, and reading
            # the settings and the key costs about 50 ms.
            settings = GatewaySettings(data_dir=self.data_dir, issuer=self.gateway)
            self._signer = (settings, load_signing_key(settings.resolved_signing_key_file()))
        settings, key = self._signer
        return mint_token(
            key,
            issuer=settings.issuer,
            audience=settings.audience,
            subject=f"test-{role}",
            role=role,
            scope=Scope(),
            ttl_seconds=900,
        )

    def demo_clients(self):
        return json.loads((self.data_dir / "demo-clients.json").read_text())

    def start(self):
        """Start the platform, once: the process tests and the browser tests each ask for it
        (their conftests), and a full run shares one."""
        if self.process is not None and self.process.poll() is None:
            return
        env = {**self.environment(), "PLATFORM_LOG_FORMAT": "json"}
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "scripts/run_platform.py"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.gateway}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"platform did not start:\n{self.log.read_text()[-4000:]}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


PLATFORM = Platform(
    data_dir=Path(tempfile.mkdtemp(prefix="platform-test-")),
    ports=dict(zip(("gateway", *SERVICES), free_ports(5), strict=True)),
)
# Made at import, so removed at exit too when no test started the platform.
atexit.register(shutil.rmtree, PLATFORM.data_dir, ignore_errors=True)
