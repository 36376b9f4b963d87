from chassis.migrations import run_alembic_env
from training.models import metadata
from training.settings import TrainingSettings

run_alembic_env(metadata, lambda: TrainingSettings().resolved_database_url())
