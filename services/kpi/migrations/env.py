from chassis.migrations import run_alembic_env
from kpi.models import metadata
from kpi.settings import KpiSettings

run_alembic_env(metadata, lambda: KpiSettings().resolved_database_url())
