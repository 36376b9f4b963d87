from chassis.migrations import run_alembic_env
from search_testing.app import SearchTestSettings, metadata

run_alembic_env(metadata, lambda: SearchTestSettings().resolved_database_url())
