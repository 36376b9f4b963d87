from chassis.conformance import migration_faults
from search_testing.app import ALEMBIC_INI, metadata


async def test_the_helpers_create_the_tables_search_tables_describes_and_drop_them(databases):
    url = await databases.fresh_url("search-migration")
    assert await migration_faults(url, ALEMBIC_INI, metadata) == []
