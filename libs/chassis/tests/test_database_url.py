"""Database URLs as hosting platforms and people write them run on the async drivers; a URL the
platform cannot run on is refused when the settings are read, in words."""

import pytest
from pydantic import ValidationError

from chassis.database_url import DatabaseUrlError, async_database_url
from chassis.db import Database
from chassis.settings import ServiceSettings


@pytest.mark.parametrize(
    ("written", "runs_on"),
    [
        ("postgresql://app:pw@db:5432/catalogue", "postgresql+asyncpg://app:pw@db:5432/catalogue"),
        ("postgres://app:pw@db/catalogue", "postgresql+asyncpg://app:pw@db/catalogue"),
        ("postgresql+asyncpg://app@db/x", "postgresql+asyncpg://app@db/x"),
        ("postgresql://app@db/x?sslmode=require", "postgresql+asyncpg://app@db/x?sslmode=require"),
        ("sqlite:///var/data/kpi.db", "sqlite+aiosqlite:///var/data/kpi.db"),
        ("sqlite+aiosqlite:////abs/kpi.db", "sqlite+aiosqlite:////abs/kpi.db"),
    ],
)
def test_urls_as_written_map_to_the_async_driver(written, runs_on):
    assert async_database_url(written) == runs_on
    assert ServiceSettings(database_url=written).resolved_database_url() == runs_on


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg2://app@db/x", "not an async driver"),
        ("postgresql+pg8000://app@db/x", "not an async driver"),
        ("mysql://app@db/x", "unsupported database 'mysql'"),
        ("not a url", "not a database URL"),
    ],
)
def test_urls_the_platform_cannot_run_on_are_refused_in_words(url, says):
    with pytest.raises(DatabaseUrlError, match=says):
        async_database_url(url)
    with pytest.raises(ValidationError, match=says):
        ServiceSettings(database_url=url)


def test_a_driver_that_is_not_installed_is_named(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a)
    )
    with pytest.raises(ValidationError, match="'psycopg', which is not installed"):
        ServiceSettings(database_url="postgresql+psycopg://app:secret@db/x")


def test_a_refused_url_does_not_show_its_password():
    with pytest.raises(ValidationError) as refused:
        ServiceSettings(database_url="mysql://app:hunter2@db/x")
    assert "hunter2" not in str(refused.value)


async def test_the_database_honours_every_setting(tmp_path):
    settings = ServiceSettings(
        database_url=f"sqlite:///{tmp_path / 'settings.db'}", database_busy_timeout_ms=1234
    )
    async with Database(settings) as db:
        assert db.url.startswith("sqlite+aiosqlite:///")
        async with db.engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 1234
