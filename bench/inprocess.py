"""CPU per request of the catalogue service in-process: no sockets, no load generator, no noise
from wrk sharing the two cores. For finding where a request's time goes and comparing changes.

    .venv/bin/python bench/inprocess.py                      # SQLite, every scenario
    .venv/bin/python bench/inprocess.py --postgres           # and on PostgreSQL, when one answers
    .venv/bin/python bench/inprocess.py --profile counties   # cProfile of one scenario, top 40

It migrates a temporary SQLite file (and a temporary PostgreSQL database), loads the demo data
as `make run` does, builds the application with production's logging (JSON lines at INFO) and a
token issuer of its own, starts its lifespan, and calls the ASGI application directly with
prepared requests. Each scenario runs `--warm` times unmeasured, then `--count` times measured
with `time.process_time` (the whole process: the loop and aiosqlite's threads); the figure is
the median of `--repeat` such runs, in microseconds per request, with its ratio to `/v1/me`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))


@dataclass
class Call:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] | None = None
    body: bytes = b""


async def asgi_call(app: Any, call: Call) -> tuple[int, dict[str, str], bytes]:
    headers = [(b"host", b"service")]
    headers += [(k.lower().encode(), v.encode()) for k, v in (call.headers or {}).items()]
    if call.body:
        headers.append((b"content-length", str(len(call.body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": call.method,
        "scheme": "http",
        "path": call.path,
        "raw_path": call.path.encode(),
        "query_string": call.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0
    answer_headers: dict[str, str] = {}
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": call.body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            answer_headers.update({k.decode(): v.decode() for k, v in message["headers"]})
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, answer_headers, b"".join(chunks)


async def prepare(backend_url: str, data: Path) -> None:
    from chassis.migrations import upgrade
    from platform_components import SERVICES, resolve

    catalogue = next(c for c in SERVICES if c.name == "catalogue")
    settings = resolve(catalogue.settings)(data_dir=data, database_url=backend_url)
    await asyncio.to_thread(upgrade, catalogue.alembic_ini, settings.resolved_database_url())
    assert catalogue.demo is not None
    await resolve(catalogue.demo)(settings)


SCENARIO_NAMES = ["me", "counties", "events", "library", "patch"]


def scenarios(token: str, admin: str) -> dict[str, Call]:
    bearer = {"Authorization": f"Bearer {token}"}
    return {
        "me": Call("GET", "/v1/me", headers=bearer),
        "counties": Call("GET", "/v1/counties", "limit=5", bearer),
        "events": Call("GET", "/v1/events", "limit=5", bearer),
        "library": Call("GET", "/v1/libraries", "limit=5", bearer),
        "patch": Call(
            "PATCH",
            "",  # filled in with a library and its ETag
            headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"},
        ),
    }


async def run(args: argparse.Namespace, url: str, data: Path) -> dict[str, float]:
    from catalogue_licensing.app import SPEC
    from catalogue_licensing.settings import CatalogueSettings
    from chassis.service import build_app
    from chassis.testing import TestIssuer

    await prepare(url, data)
    issuer = TestIssuer()
    settings = CatalogueSettings(
        data_dir=data,
        database_url=url,
        log_format="json",
        log_level="INFO",
        auth={"jwks_json": json.dumps(issuer.jwks)},
    )
    app = build_app(settings, SPEC)
    calls = scenarios(issuer.token("operator"), issuer.token("programme_admin"))
    async with app.router.lifespan_context(app):
        # As `serve_app` does once the lifespan has started (chassis.cli.freeze_heap_after_startup).
        gc.collect()
        gc.freeze()
        patch = calls["patch"]
        # As the bench's wrk script: each request in flight renames a library of its own, with
        # If-Match of the ETag that library's previous answer carried.
        width = max(1, args.concurrency)
        listed = Call("GET", "/v1/libraries", f"limit={width}", calls["library"].headers)
        _, _, body = await asgi_call(app, listed)
        free: deque[tuple[str, str]] = deque()
        for item in json.loads(body)["items"]:
            path = f"/v1/libraries/{item['isil']}"
            _, head, _ = await asgi_call(app, Call("GET", path, headers=patch.headers))
            free.append((path, head["etag"]))
        if len(free) < width:
            raise SystemExit(f"the demo data has {len(free)} libraries, not {width}")
        counter = 0

        async def do_patch() -> None:
            nonlocal counter
            counter += 1
            path, etag = free.popleft()
            call = Call(
                "PATCH",
                path,
                headers={**(patch.headers or {}), "If-Match": etag},
                body=json.dumps({"name": f"Bench library {counter}"}).encode(),
            )
            status, head, answer = await asgi_call(app, call)
            assert status == 200, answer
            free.append((path, head["etag"]))

        def plain(call: Call) -> Callable[[], Awaitable[None]]:
            async def go() -> None:
                status, _, answer = await asgi_call(app, call)
                assert status == 200, (call.path, status, answer[:300])

            return go

        units: dict[str, Callable[[], Awaitable[None]]] = {
            name: plain(call) for name, call in calls.items() if name != "patch"
        }
        units["patch"] = do_patch
        chosen = [args.profile] if args.profile else args.only or list(units)
        for name in chosen:
            for _ in range(args.warm):
                await units[name]()
        if args.profile:
            await _profile(units[args.profile], args)
            return {}
        return await _measure(units, chosen, args)


async def _profile(unit: Callable[[], Awaitable[None]], args: argparse.Namespace) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.count):
        await unit()
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats(args.sort)
    stats.print_stats(40)
    if args.callers:
        stats.print_callers(args.callers)


async def _measure(
    units: dict[str, Callable[[], Awaitable[None]]], chosen: list[str], args: argparse.Namespace
) -> dict[str, float]:
    # Interleaved: every repetition runs each scenario once, so a machine that slows down or
    # speeds up part-way through shifts them all alike and the ratios hold.
    figures: dict[str, list[float]] = {name: [] for name in chosen}
    for _ in range(args.repeat):
        for name in chosen:
            unit = units[name]
            start = time.process_time()
            if args.concurrency > 1:
                await _concurrently(unit, args.count, args.concurrency)
            else:
                for _ in range(args.count):
                    await unit()
            figures[name].append((time.process_time() - start) / args.count * 1e6)
    return {name: statistics.median(values) for name, values in figures.items()}


async def _concurrently(unit: Callable[[], Awaitable[None]], count: int, width: int) -> None:
    """`count` calls of `unit`, `width` at a time (as `width` client connections would)."""

    async def worker(share: int) -> None:
        for _ in range(share):
            await unit()

    await asyncio.gather(*(worker(count // width) for _ in range(width)))


def show(backend: str, results: dict[str, float]) -> None:
    me = results.get("me")
    for name, micros in results.items():
        ratio = f"{me / micros:5.2f}" if me else "  -  "
        print(f"{backend:9} {name:10} {micros:8.0f} µs/req   rate vs /v1/me {ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--warm", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="requests in flight at once (as connections)"
    )
    parser.add_argument("--only-postgres", action="store_true")
    parser.add_argument("--profile", choices=SCENARIO_NAMES, help="cProfile of one scenario")
    parser.add_argument(
        "--only",
        choices=SCENARIO_NAMES,
        action="append",
        help="measure only these (repeatable); e.g. under a sampling profiler such as py-spy",
    )
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--callers", help="with --profile: who calls functions matching this")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        if not args.only_postgres:
            show("sqlite", asyncio.run(run(args, "", data)))
        if args.postgres or args.only_postgres:
            from platform_bench import postgres

            created = postgres.create_database()
            if created is None:
                print("no PostgreSQL answered: its rows are left out")
                return 0
            try:
                show("postgres", asyncio.run(run(args, created[1], data)))
            finally:
                postgres.drop_database(created[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
