from chassis.migrations import run_alembic_env
from helpdesk.models import metadata
from helpdesk.settings import HelpdeskSettings

run_alembic_env(metadata, lambda: HelpdeskSettings().resolved_database_url())
