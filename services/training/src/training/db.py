"""The service's declarative base, its chassis tables (outbox, idempotency records, jobs, audit
trail) and the search mechanism's tables."""

from sqlalchemy.orm import DeclarativeBase

from chassis.audit import Trail, audit_table
from chassis.db import new_metadata
from chassis.idempotency import idempotency_table
from chassis.jobs import jobs_table
from chassis.outbox import outbox_table
from search import search_tables

metadata = new_metadata()


class Base(DeclarativeBase):
    metadata = metadata


outbox = outbox_table(metadata)
idempotency = idempotency_table(metadata)
jobs = jobs_table(metadata)
audit_log = audit_table(metadata)
# Every change is recorded here: an audit entry and an event in the change's transaction.
trail = Trail(audit=audit_log, outbox=outbox)
# The search mechanism's documents and state (libs/search), in this service's database.
search_documents, search_state = search_tables(metadata)
