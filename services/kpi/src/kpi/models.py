"""The kpi service's tables: its metadata, with the chassis's outbox and jobs table."""

from chassis.db import new_metadata
from chassis.jobs import jobs_table
from chassis.outbox import outbox_table

metadata = new_metadata()
outbox = outbox_table(metadata)
jobs = jobs_table(metadata)
