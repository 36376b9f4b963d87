from chassis.migrations import run_alembic_env
from notes_app.app import Base, NotesSettings

run_alembic_env(Base.metadata, lambda: NotesSettings().resolved_database_url())
