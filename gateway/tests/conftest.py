"""Fixtures of the gateway's tests: its key, its settings, a running gateway, real upstreams."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from chassis.migrations import upgrade
from chassis.testing import Databases
from gateway.app import create_app
from gateway.keys.signing_key import SigningKey, load_signing_key
from gateway.runtime import gateway_start
from gateway.settings import UPSTREAMS, GatewaySettings
from kpi.app import SPEC as KPI_SPEC
from kpi.app import create_app as create_kpi_app
from kpi.settings import KpiSettings

GATEWAY_DIR = Path(__file__).resolve().parents[1]
ALEMBIC_INI = GATEWAY_DIR / "alembic.ini"
START_TIMEOUT_SECONDS = 10.0
# How long a test gateway may take to open its resources (its first look may time out).
READY_WITHIN_SECONDS = 30.0

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="auto", ws="none", timeout_keep_alive=5
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(START_TIMEOUT_SECONDS):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def _raw_server(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter, asyncio.Event], Awaitable[None]],
) -> AsyncIterator[str]:
    stop = asyncio.Event()
    handlers: set[asyncio.Task[None]] = set()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await handler(reader, writer, stop)
        finally:
            writer.close()
            handlers.discard(task)

    server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        server.close()
        await server.wait_closed()
        await asyncio.gather(*handlers, return_exceptions=True)


@pytest.fixture
def serve() -> Callable[..., Any]:
    """`async with serve(app) as url:` an ASGI app served by uvicorn on a free loopback port."""
    return serving


@pytest.fixture
def raw_server() -> Callable[..., Any]:
    """`async with raw_server(handler) as url:` a TCP server that speaks whatever `handler` writes
    (broken HTTP, or nothing at all)."""
    return _raw_server


@pytest.fixture
def dead_url() -> str:
    """A loopback port nobody listens on: connections to it are refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """An upstream that answers with what it received, plus hop-by-hop headers to be stripped."""
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    payload = json.dumps(
        {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
            "body_length": len(body),
            "body_prefix": body[:16].decode(errors="replace"),
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"connection", b"x-hop"),
        (b"x-hop", b"dropped"),
        (b"keep-alive", b"timeout=5"),
        (b"proxy-authenticate", b"Basic"),
        (b"x-end-to-end", b"kept"),
        (b"set-cookie", b"a=1"),
        (b"set-cookie", b"b=2"),
        (b"x-request-id", b"from-upstream"),
    ]
    if "links=1" in scope["query_string"].decode():
        headers += [
            (b"location", b"/v1/things/7"),
            (b"content-location", b"https://elsewhere.example/v1/things/7"),
            (b"link", b'</v1/things?cursor=abc>; rel="next", <https://x.example/a>; rel="help"'),
        ]
    status = int(scope["query_string"].decode().partition("status=")[2] or 200)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    # Two chunks: the proxy streams them on without joining them first.
    half = len(payload) // 2
    await send({"type": "http.response.body", "body": payload[:half], "more_body": True})
    await send({"type": "http.response.body", "body": payload[half:]})


@pytest.fixture(scope="session")
def gateway_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SigningKey]:
    path = tmp_path_factory.mktemp("keys") / "signing-key.pem"
    return path, load_signing_key(path)


@pytest.fixture(scope="session")
async def kpi_url(
    tmp_path_factory: pytest.TempPathFactory, gateway_key: tuple[Path, SigningKey]
) -> AsyncIterator[str]:
    """A real kpi service on a loopback port, trusting the gateway's key set."""
    dbs = Databases("sqlite", tmp_path_factory.mktemp("kpi"))
    url = await dbs.migrated("kpi", KPI_SPEC.alembic_ini)
    settings = KpiSettings(
        database_url=url,
        log_format="json",
        auth={"jwks_json": json.dumps(gateway_key[1].jwks())},
    )
    try:
        async with serving(create_kpi_app(settings)) as base_url:
            yield base_url
    finally:
        await dbs.close()


@pytest.fixture(scope="session")
async def echo_url() -> AsyncIterator[str]:
    async with serving(echo_app) as base_url:
        yield base_url


SettingsFactory = Callable[..., GatewaySettings]


@pytest.fixture(scope="session")
def migrated_gateway_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated gateway database (SQLite): the gateway reads its signing keys from it at start."""
    path = tmp_path_factory.mktemp("gateway-template") / "gateway.db"
    upgrade(ALEMBIC_INI, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def gateway_settings(
    tmp_path: Path, gateway_key: tuple[Path, SigningKey], kpi_url: str, migrated_gateway_file: Path
) -> SettingsFactory:
    """Settings for a test gateway: every upstream is the kpi service unless overridden; without
    a database_url, a migrated database of its own in tmp_path (the embedded default)."""

    def make(**overrides: Any) -> GatewaySettings:
        if not (tmp_path / "gateway.db").exists():
            shutil.copyfile(migrated_gateway_file, tmp_path / "gateway.db")
        values: dict[str, Any] = {
            "data_dir": tmp_path,
            "signing_key_file": gateway_key[0],
            "log_format": "json",
            **{f"{name}_url": kpi_url for name in UPSTREAMS},
        }
        values.update(overrides)
        return GatewaySettings(**values)

    return make


@asynccontextmanager
async def _open_gateway(
    settings: GatewaySettings,
    client: tuple[str, int] = ("192.0.2.10", 51000),
    *,
    ready: bool = True,
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    """With `ready`, the test starts once the gateway has opened its resources: on a loaded
    machine its first look at the database may time out, and it opens them on a later look."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        if ready:
            async with asyncio.timeout(READY_WITHIN_SECONDS):
                await gateway_start(app).opened.wait()
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            yield http, app


@pytest.fixture
def open_gateway() -> Callable[..., Any]:
    """`async with open_gateway(settings) as (client, app):` a started gateway, driven in process."""
    return _open_gateway


@pytest.fixture
async def gateway_db(databases: Databases) -> AsyncIterator[str]:
    """The URL of a migrated gateway database (each backend), emptied after the test."""
    url = await databases.migrated("gateway", ALEMBIC_INI)
    yield url
    await databases.empty("gateway")
