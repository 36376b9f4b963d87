"""The command line every service shares: serve, migrate, and its own extra commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import uvicorn
from starlette.types import ASGIApp

from chassis.logging import configure_logging, get_logger
from chassis.migrations import upgrade
from chassis.service import ServiceSpec, build_app
from chassis.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
Command = Callable[[S, argparse.Namespace], int]


@dataclass(frozen=True)
class ExtraCommand(Generic[S]):
    """A component's own command; `arguments` adds its options (or sub-commands) to its parser."""

    help: str
    run: Callable[[S, argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


def service_main(
    spec: ServiceSpec,
    settings_factory: Callable[[], S],
    argv: Sequence[str] | None = None,
    extra: Mapping[str, tuple[str, Callable[[S, argparse.Namespace], int]] | ExtraCommand[S]]
    | None = None,
    app_factory: Callable[[S], ASGIApp] | None = None,
) -> int:
    """Parse the command line and run it; `app_factory` replaces build_app for components
    (the gateway) whose application is not a plain service."""
    commands_by_name = {
        name: entry if isinstance(entry, ExtraCommand) else ExtraCommand(entry[0], entry[1])
        for name, entry in (extra or {}).items()
    }
    parser = argparse.ArgumentParser(prog=spec.name, description=spec.title)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the HTTP API")
    commands.add_parser("migrate", help="apply the database migrations up to head")
    for name, command in commands_by_name.items():
        sub = commands.add_parser(name, help=command.help, description=command.help)
        if command.arguments is not None:
            command.arguments(sub)
    args = parser.parse_args(argv)
    settings = settings_factory()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    if args.command == "serve":
        app = app_factory(settings) if app_factory is not None else build_app(settings, spec)
        serve_app(app, settings)
        return 0
    if args.command == "migrate":
        upgrade(spec.alembic_ini, settings.resolved_database_url())
        get_logger("chassis.cli").info("migrated", service=spec.name)
        return 0
    return commands_by_name[args.command].run(settings, args)


def serve_app(app: ASGIApp, settings: ServiceSettings) -> None:
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=3,
        proxy_headers=False,
    )
