"""A service's database as the mechanism sees it: the kit's metadata with the search tables,
created by a two-line migration through `search.migration` (as training's and helpdesk's)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from chassis.db import new_metadata
from chassis.settings import ServiceSettings
from search import search_tables

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
NAME = "search-testing"

metadata = new_metadata()
tables = search_tables(metadata)


class SearchTestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SEARCH_TESTING_")
    service_name: str = NAME
