"""Alembic glue shared by every service: the env.py body, upgrade from code, and the head check."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, MetaData
from sqlalchemy.engine import Connection

from chassis.db import create_engine
from chassis.types import UTCDateTime


def alembic_config(ini_path: Path, url: str | None = None) -> Config:
    config = Config(str(ini_path))
    if url is not None:
        # ConfigParser interpolation would read a % in a password as a reference.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@dataclass(frozen=True)
class SchemaRevisions:
    """The revisions this code's migrations know, and which of them are heads."""

    heads: frozenset[str]
    known: frozenset[str]

    @classmethod
    def of(cls, ini_path: Path) -> SchemaRevisions:
        scripts = ScriptDirectory.from_config(alembic_config(ini_path))
        return cls(
            heads=frozenset(scripts.get_heads()),
            known=frozenset(r.revision for r in scripts.walk_revisions()),
        )

    def compare(self, database: frozenset[str]) -> str:
        """`current`, `behind` (migrations to apply) or `ahead` (a newer version migrated).

        Ahead counts as ready: during a rolling update the new version's migration job runs
        first, and the old replicas must keep serving until they are replaced; migrations are
        written expand-then-contract so that the previous version still works on them.
        """
        if database == self.heads:
            return "current"
        if database and not database <= self.known:
            return "ahead"
        return "behind"


def current_revisions(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render the chassis's column types as plain SQLAlchemy ones in generated migrations."""
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, JSON) and "postgresql" in getattr(obj, "_variant_mapping", {}):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def _configure_and_run(connection: Connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_alembic_env(metadata: MetaData, default_url: Callable[[], str]) -> None:
    """The whole of a service's migrations/env.py: `run_alembic_env(metadata, url_factory)`."""
    config = context.config
    shared: Connection | None = config.attributes.get("connection")
    if shared is not None:
        _configure_and_run(shared, metadata)
        return
    url = config.get_main_option("sqlalchemy.url") or default_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def online() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(_configure_and_run, metadata)
            await connection.commit()
        await engine.dispose()

    asyncio.run(online())


def upgrade(ini_path: Path, url: str, revision: str = "head") -> None:
    """Apply migrations from a command line (no event loop running)."""
    command.upgrade(alembic_config(ini_path, url), revision)


def upgrade_to_head(config: Config) -> None:
    """For run_on_connection: migrate the connection's database to head."""
    command.upgrade(config, "head")


def run_on_connection(
    connection: Connection, ini_path: Path, operation: Callable[[Config], None]
) -> None:
    """Run an alembic command on an existing connection (from async code via run_sync)."""
    config = alembic_config(ini_path)
    config.attributes["connection"] = connection
    operation(config)
