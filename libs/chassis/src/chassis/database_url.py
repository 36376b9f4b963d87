"""Database URLs as people write them, mapped to the async driver each backend runs on."""

from __future__ import annotations

import importlib.util

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

# What a URL without a driver (or with the scheme hosting platforms hand out) runs on.
_DEFAULT_DRIVERS = {"postgresql": "asyncpg", "postgres": "asyncpg", "sqlite": "aiosqlite"}
# The async drivers SQLAlchemy supports for each backend, by the module that must be importable.
_ASYNC_DRIVERS = {
    "postgresql": {"asyncpg": "asyncpg", "psycopg": "psycopg", "psycopg_async": "psycopg"},
    "sqlite": {"aiosqlite": "aiosqlite"},
}


class DatabaseUrlError(ValueError):
    """A database URL this platform cannot run on, with the reason in words."""


def async_database_url(raw: str) -> str:
    """`raw` with the async driver its backend runs on: `postgres://` and `postgresql://` become
    `postgresql+asyncpg://`, `sqlite://` becomes `sqlite+aiosqlite://`; a named driver is kept
    when it is async and installed, and refused with a message otherwise."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {_masked(raw)}") from exc
    backend, _, driver = url.drivername.partition("+")
    backend = "postgresql" if backend == "postgres" else backend
    if backend not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(
            f"unsupported database {backend!r}: use postgresql:// or sqlite:// URLs"
        )
    driver = driver or _DEFAULT_DRIVERS[backend]
    module = _ASYNC_DRIVERS[backend].get(driver)
    if module is None:
        known = ", ".join(sorted(_ASYNC_DRIVERS[backend]))
        raise DatabaseUrlError(
            f"{backend}+{driver} is not an async driver this platform runs on (known: {known}); "
            f"write {backend}:// to use the default"
        )
    if importlib.util.find_spec(module) is None:
        raise DatabaseUrlError(
            f"{backend}+{driver} names the driver {module!r}, which is not installed; "
            f"write {backend}:// to use the installed default"
        )
    mapped: URL = url.set(drivername=f"{backend}+{driver}")
    return mapped.render_as_string(hide_password=False)


def _masked(raw: str) -> str:
    # A URL that fails to parse may still hold a password; show only its scheme.
    return raw.split("://", 1)[0] + "://…" if "://" in raw else "(no scheme)"
