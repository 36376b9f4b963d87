from collections.abc import AsyncIterator

import pytest

from chassis.db import Database
from search import SearchIndex
from search_testing.app import ALEMBIC_INI, NAME, SearchTestSettings


@pytest.fixture
async def db(databases) -> AsyncIterator[Database]:
    """The migrated test database of the current backend, emptied after the test."""
    url = await databases.migrated(NAME, ALEMBIC_INI)
    database = Database(SearchTestSettings(database_url=url))
    yield database
    await database.dispose()
    await databases.empty(NAME)


@pytest.fixture
def index() -> SearchIndex:
    """A fresh index, as a newly started process has."""
    return SearchIndex()
