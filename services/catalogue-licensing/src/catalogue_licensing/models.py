"""The catalogue service's tables: its metadata, with the chassis's outbox."""

from chassis.db import new_metadata
from chassis.outbox import outbox_table

metadata = new_metadata()
outbox = outbox_table(metadata)
