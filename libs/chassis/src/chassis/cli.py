"""The command line every service shares: serve, migrate, and its own extra commands."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import STARTUP_FAILURE

from chassis.logging import configure_logging, get_logger
from chassis.migrations import upgrade
from chassis.server import bounded_protocol
from chassis.service import ServiceSpec, build_app
from chassis.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
# What a sub-command runs: the component's settings and the parsed command line in, the exit
# status out. service_main binds each sub-command's parser to its function as `run`.
Command = Callable[[S, argparse.Namespace], int]


@dataclass(frozen=True)
class ExtraCommand(Generic[S]):
    """A component's own command; `arguments` adds its options (or sub-commands) to its parser.

    The parser's `run` default is this command's `run`: sub-commands under it bind their own
    functions under another name, and `run` dispatches to them."""

    help: str
    run: Command[S]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


def service_main(
    spec: ServiceSpec,
    settings_factory: Callable[[], S],
    argv: Sequence[str] | None = None,
    extra: Mapping[str, ExtraCommand[S]] | None = None,
    app_factory: Callable[[S], ASGIApp] | None = None,
) -> int:
    """Parse the command line and run the sub-command's function; `app_factory` replaces
    build_app for components (the gateway) whose application is not a plain service."""
    parser = argparse.ArgumentParser(prog=spec.name, description=spec.title)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.set_defaults(run=partial(_serve, spec, app_factory))
    migrate = commands.add_parser("migrate", help="apply the database migrations up to head")
    migrate.set_defaults(run=partial(_migrate, spec))
    for name, command in (extra or {}).items():
        sub = commands.add_parser(name, help=command.help, description=command.help)
        if command.arguments is not None:
            command.arguments(sub)
        sub.set_defaults(run=command.run)
    args = parser.parse_args(argv)
    settings = settings_factory()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    run: Command[S] = args.run
    return run(settings, args)


def _serve(
    spec: ServiceSpec,
    app_factory: Callable[[S], ASGIApp] | None,
    settings: S,
    args: argparse.Namespace,
) -> int:
    app = app_factory(settings) if app_factory is not None else build_app(settings, spec)
    serve_app(app, settings)
    return 0


def _migrate(spec: ServiceSpec, settings: ServiceSettings, args: argparse.Namespace) -> int:
    upgrade(spec.alembic_ini, settings.resolved_database_url())
    get_logger("chassis.cli").info("migrated", service=spec.name)
    return 0


def freeze_heap_after_startup(app: ASGIApp) -> ASGIApp:
    """`app`, with everything alive once its start-up is complete moved out of the cyclic
    garbage collector's sight (gc.freeze).

    A process that has imported FastAPI, SQLAlchemy and the rest holds 100-170 thousand
    objects that live as long as it does. Without this, every full (generation 2) collection
    walks all of them: 70-130 ms on the bench machine, during which the event loop answers
    nothing, and under load one comes every few seconds: that was the gateway's p99 at 50 %
    load (docs/decisions/0013). Frozen, a full collection walks only what was made since,
    a few milliseconds. Requests pass straight through; only the lifespan is watched."""

    async def freezing(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def send_and_freeze(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                gc.collect()
                gc.freeze()
            await send(message)

        await app(scope, receive, send_and_freeze)

    return freezing


def server_config(app: ASGIApp, settings: ServiceSettings) -> uvicorn.Config:
    """uvicorn's configuration for serving `app`: the kit's bounded HTTP protocol (chassis.server)
    with the settings' header limits, the heap frozen after start-up, the kit's logging."""
    return uvicorn.Config(
        freeze_heap_after_startup(app),
        host=settings.host,
        port=settings.port,
        http=bounded_protocol(
            max_head_bytes=settings.max_header_bytes,
            head_timeout=settings.header_timeout_seconds,
        ),
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=3,
        proxy_headers=False,
    )


def serve_app(app: ASGIApp, settings: ServiceSettings) -> None:
    server = uvicorn.Server(server_config(app, settings))
    server.run()
    if not server.started:
        # As uvicorn.run does: a failed start-up (a port in use, a lifespan error) is an exit code.
        sys.exit(STARTUP_FAILURE)
