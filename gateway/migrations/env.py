from chassis.migrations import run_alembic_env
from gateway.models import metadata
from gateway.settings import GatewaySettings

run_alembic_env(metadata, lambda: GatewaySettings().resolved_database_url())
