from catalogue_licensing.models import metadata
from catalogue_licensing.settings import CatalogueSettings
from chassis.migrations import run_alembic_env

run_alembic_env(metadata, lambda: CatalogueSettings().resolved_database_url())
