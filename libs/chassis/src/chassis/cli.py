"""The command line every service shares: serve, migrate, and its own extra commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import uvicorn

from chassis.logging import configure_logging, get_logger
from chassis.migrations import upgrade
from chassis.service import ServiceSpec, build_app
from chassis.settings import ServiceSettings

Command = Callable[[ServiceSettings, argparse.Namespace], int]


def service_main(
    spec: ServiceSpec,
    settings_factory: Callable[[], ServiceSettings],
    argv: Sequence[str] | None = None,
    extra: dict[str, tuple[str, Command]] | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog=spec.name, description=spec.title)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the HTTP API")
    commands.add_parser("migrate", help="apply the database migrations up to head")
    for name, (help_text, _) in (extra or {}).items():
        commands.add_parser(name, help=help_text)
    args = parser.parse_args(argv)
    settings = settings_factory()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    if args.command == "serve":
        serve(spec, settings)
        return 0
    if args.command == "migrate":
        upgrade(spec.alembic_ini, settings.resolved_database_url())
        get_logger("chassis.cli").info("migrated", service=spec.name)
        return 0
    return (extra or {})[args.command][1](settings, args)


def serve(spec: ServiceSpec, settings: ServiceSettings) -> None:
    uvicorn.run(
        build_app(settings, spec),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=3,
        proxy_headers=False,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run a service's own module, e.g. python -m kpi serve")
