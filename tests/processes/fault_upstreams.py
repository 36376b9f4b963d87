"""Stand-in services that fail on purpose, and a gateway process pointed at them.

Run as a script, this module is one such service: `python fault_upstreams.py --port 9123`. It
speaks just enough HTTP/1.1 (standard library only, so it starts in a fraction of a second) and
chooses its behaviour by path:

  /health/ready            200, so the gateway's /health counts it as ready
  /v1/slow?seconds=N       answers 200 after N seconds
  /v1/cut-mid-body?framing=length|chunked
                           200 with a promised body, part of it, then the connection closes
  /v1/cut-before-body      200 with a promised body, then the connection closes
  /v1/garbage              a reply that is not HTTP
  anything else            200 with a small JSON body naming the path

Imported by the tests, it starts such services and the gateway as real processes on free
loopback ports, each with a data folder of its own; never the fixed ports of running_platform.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60.0
PROMISED_BODY_BYTES = 100_000
SENT_BEFORE_CUT_BYTES = 5_000


# ---------------------------------------------------------------- the service


def _response(status: str, body: bytes, *, content_type: str = "application/json") -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _answer(path: str, query: dict[str, list[str]], writer: asyncio.StreamWriter) -> bool:
    """Writes the answer for one request; False when the connection must close after it."""
    if path == "/v1/slow":
        await asyncio.sleep(float(query.get("seconds", ["60"])[0]))
    elif path == "/v1/cut-mid-body":
        chunked = query.get("framing", ["length"])[0] == "chunked"
        framing = (
            "Transfer-Encoding: chunked" if chunked else f"Content-Length: {PROMISED_BODY_BYTES}"
        )
        part = b"x" * SENT_BEFORE_CUT_BYTES
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n{framing}\r\n\r\n".encode())
        writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n" if chunked else part)
        await writer.drain()
        # A pause, so the gateway has passed the first part on before the break: the cut then
        # happens mid-stream, as when a service dies while writing a long answer.
        await asyncio.sleep(0.3)
        return False
    elif path == "/v1/cut-before-body":
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {PROMISED_BODY_BYTES}\r\n\r\n".encode())
        await writer.drain()
        return False
    elif path == "/v1/garbage":
        writer.write(b"SURPRISE, NOT HTTP\r\n\r\n")
        await writer.drain()
        return False
    if path == "/health/ready":
        writer.write(_response("200 OK", b'{"status": "ok"}'))
    else:
        writer.write(_response("200 OK", json.dumps({"path": path}).encode()))
    await writer.drain()
    return True


async def _serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head.decode("latin-1").split("\r\n")
            target = urlsplit(request_line.split(" ")[1])
            headers = {
                name.strip().lower(): value.strip()
                for name, value in (line.split(":", 1) for line in lines if line)
            }
            if length := int(headers.get("content-length", "0")):
                await reader.readexactly(length)
            if not await _answer(target.path, parse_qs(target.query), writer):
                return
    except (asyncio.IncompleteReadError, ConnectionError):
        return
    finally:
        writer.close()


async def _serve(port: int) -> None:
    server = await asyncio.start_server(_serve_connection, "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(_serve(parser.parse_args().port))


# ---------------------------------------------------------------- processes, for the tests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path | None = None) -> None:
    import httpx

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    process.kill()
    process.wait()
    output = log.read_text()[-4000:] if log is not None and log.exists() else ""
    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT_SECONDS:.0f}s\n{output}")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class FaultUpstream:
    """One stand-in service on a fixed free port, which a test may kill and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(f"{self.url}/health/ready", self.process)

    def kill(self) -> None:
        """SIGKILL: the process ends with no goodbye, its port refuses connections at once."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        _stop(self.process)


class FaultGateway:
    """`python -m gateway migrate`, then `serve`, as `make run` starts it, on a free port with a
    data folder of its own, with each route prefix pointed at the given base URL."""

    def __init__(self, data_dir: Path, upstream_urls: dict[str, str], **settings: str) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.log = data_dir / "gateway.log"
        self.env = {
            **os.environ,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(self.port),
            "GATEWAY_DATA_DIR": str(data_dir),
            "GATEWAY_ISSUER": self.url,
            "GATEWAY_LOG_FORMAT": "json",
            **{f"GATEWAY_{name.upper()}_URL": url for name, url in upstream_urls.items()},
            **{f"GATEWAY_{name.upper()}": value for name, value in settings.items()},
        }
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "gateway", "migrate"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            timeout=START_TIMEOUT_SECONDS,
            check=True,
        )
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gateway", "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_for(f"{self.url}/health/live", self.process, self.log)

    def stop(self) -> None:
        _stop(self.process)


if __name__ == "__main__":
    main()
