"""pytest plugin shared by every component's tests: backends, migrated databases, tokens, clients.

Each test that asks for a database runs once per backend: SQLite always, PostgreSQL when one
answers (TEST_POSTGRES_URL, else postgres@127.0.0.1:5432). Every component gets its own
database, created from its migrations at the start of the session and dropped at the end.
Tests commit for real (so write locks, constraints and the outbox behave as in production);
every table is emptied after each test.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from chassis.database_url import async_database_url
from chassis.db import create_engine
from chassis.migrations import run_on_connection, upgrade_to_head
from chassis.service import ServiceSpec, build_app
from chassis.settings import DEFAULT_AUDIENCE, DEFAULT_ISSUER, ServiceSettings

BACKENDS = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_admin_url() -> str:
    """TEST_POSTGRES_URL as people write it (`postgresql://`, `postgres://`), on the async driver."""
    return async_database_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))


_pg_reachable: dict[str, str | None] = {}


async def postgres_unavailable_reason() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per session)."""
    url = postgres_admin_url()
    if url not in _pg_reachable:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            _pg_reachable[url] = None
        except Exception as exc:  # any failure means: run on SQLite only
            _pg_reachable[url] = (
                f"PostgreSQL not reachable at {make_url(url).render_as_string()}: {type(exc).__name__}"
            )
        finally:
            await engine.dispose()
    return _pg_reachable[url]


# ---------------------------------------------------------------- tokens


def _rsa_jwk(kid: str) -> tuple[Any, dict[str, Any]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return key, public


@dataclass
class TestIssuer:
    """Signs tokens like the gateway does, with a key only the tests know."""

    __test__ = False

    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    kid: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:8]}")
    _key: Any = None
    _jwk: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._key, self._jwk = _rsa_jwk(self.kid)

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._jwk]}

    def claims(self, roles: list[str], **extra: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": f"client-{uuid.uuid4().hex[:8]}",
            "roles": roles,
            "iat": now,
            "exp": now + 300,
        }
        claims.update({k: v for k, v in extra.items() if v is not None})
        return claims

    def token(self, *roles: str, **extra: Any) -> str:
        return self.sign(self.claims(list(roles), **extra))

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})

    def headers(self, *roles: str, **extra: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **extra)}"}


def unsigned_token(claims: dict[str, Any], kid: str) -> str:
    """A token with `alg: none`: must be refused everywhere."""
    return jwt.encode(claims, key="", algorithm="none", headers={"kid": kid})


def tampered(token: str) -> str:
    """The same token with its payload changed and the old signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["roles"] = ["operator", "programme_admin"]
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{forged}.{signature}"


def with_header(token: str, **fields: object) -> str:
    """`token` with its JOSE header's fields replaced (the signature no longer matches): an
    `alg` that is not a string, or not ASCII, must be a 401, never a 500."""
    head, payload, signature = token.split(".")
    header = json.loads(jwt.utils.base64url_decode(head))
    header.update(fields)
    raw = json.dumps(header, ensure_ascii=False).encode()
    return f"{jwt.utils.base64url_encode(raw).decode()}.{payload}.{signature}"


# ---------------------------------------------------------------- databases


class Databases:
    """One migrated database per component for one backend, created lazily, dropped at the end."""

    def __init__(self, backend: str, tmp_dir: Path) -> None:
        self.backend = backend
        self._tmp_dir = tmp_dir
        self._urls: dict[str, str] = {}
        self._tables: dict[str, list[str]] = {}
        self._engines: dict[str, AsyncEngine] = {}
        self._created: list[str] = []

    async def fresh_url(self, name: str) -> str:
        """An empty database of its own (not migrated): for migration tests."""
        suffix = uuid.uuid4().hex[:8]
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self._tmp_dir / f'{name}-{suffix}.db'}"
        db_name = f"test_{name.replace('-', '_')}_{os.getpid()}_{suffix}"
        admin = create_engine(postgres_admin_url())
        try:
            async with admin.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'CREATE DATABASE "{db_name}"'))
        finally:
            await admin.dispose()
        self._created.append(db_name)
        return (
            make_url(postgres_admin_url())
            .set(database=db_name)
            .render_as_string(hide_password=False)
        )

    async def migrated(self, name: str, alembic_ini: Path) -> str:
        if name not in self._urls:
            url = await self.fresh_url(name)
            engine = create_engine(url)
            async with engine.begin() as conn:
                await conn.run_sync(run_on_connection, alembic_ini, upgrade_to_head)
                self._tables[name] = await conn.run_sync(
                    lambda c: [t for t in inspect(c).get_table_names() if t != "alembic_version"]
                )
            self._engines[name] = engine
            self._urls[name] = url
        return self._urls[name]

    async def empty(self, name: str) -> None:
        tables = self._tables.get(name)
        if not tables:
            return
        async with self._engines[name].begin() as conn:
            if self.backend == "postgresql":
                joined = ", ".join(f'"{t}"' for t in tables)
                await conn.execute(text(f"TRUNCATE {joined} RESTART IDENTITY CASCADE"))
            else:
                await conn.execute(text("PRAGMA defer_foreign_keys=ON"))
                for table in tables:
                    # Table names come from the database's own catalogue, not from input.
                    await conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608
                if await _has_sequence(conn):
                    await conn.execute(text("DELETE FROM sqlite_sequence"))

    async def close(self) -> None:
        for engine in self._engines.values():
            await engine.dispose()
        if self.backend != "postgresql" or not self._created:
            return
        admin = create_engine(postgres_admin_url())
        try:
            async with admin.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                for db_name in self._created:
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        finally:
            await admin.dispose()


async def _has_sequence(conn: Any) -> bool:
    found = await conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_sequence'")
    )
    return found.first() is not None


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql":
        reason = await postgres_unavailable_reason()
        if reason is not None:
            pytest.skip(reason)
    return name


@pytest.fixture(scope="session")
async def databases(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Databases]:
    dbs = Databases(backend, tmp_path_factory.mktemp(f"db-{backend}"))
    yield dbs
    await dbs.close()


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture(scope="session")
def foreign_issuer() -> TestIssuer:
    """Same issuer name and audience, but a key the services do not trust."""
    return TestIssuer()


ClientFactory = Callable[..., Any]


@pytest.fixture
async def service_client(databases: Databases, issuer: TestIssuer) -> AsyncIterator[ClientFactory]:
    """`async with service_client(SPEC, SettingsClass, **overrides) as (client, app):` a running app."""
    used: list[str] = []

    @asynccontextmanager
    async def open_client(
        spec: ServiceSpec, settings_cls: type[ServiceSettings], **overrides: Any
    ) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
        url = await databases.migrated(spec.name, spec.alembic_ini)
        used.append(spec.name)
        defaults: dict[str, Any] = {
            "database_url": url,
            "log_format": "json",
            "auth": {"jwks_json": json.dumps(issuer.jwks)},
        }
        settings = settings_cls(**(defaults | overrides))
        app = build_app(settings, spec)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                yield client, app

    yield open_client
    for name in used:
        await databases.empty(name)


# ---------------------------------------------------------------- summary

_outcomes: Counter[tuple[str, str]] = Counter()


def _backend_of(nodeid: str) -> str:
    if "[" in nodeid:
        params = nodeid.rsplit("[", 1)[1].rstrip("]")
        for name in BACKENDS:
            if name in params.split("-"):
                return name
    return "none"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[(_backend_of(report.nodeid), report.outcome)] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = []
    for name in (*BACKENDS, "none"):
        counts = {o: n for (b, o), n in _outcomes.items() if b == name}
        if counts:
            label = "no database" if name == "none" else name
            lines.append(f"{label}: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())))
    if _pg_reachable:
        reason = next(iter(_pg_reachable.values()))
        if reason:
            lines.append(f"postgresql skipped: {reason}")
    terminalreporter.write_sep("=", "backends")
    for line in lines:
        terminalreporter.write_line(line)
