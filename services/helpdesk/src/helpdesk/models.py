"""Every table of the helpdesk service, gathered so migrations and tests see one metadata."""

from helpdesk.catalogue.models import CalendarRow, SupportService
from helpdesk.db import Base, audit_log, idempotency, jobs, metadata, outbox

__all__ = [
    "Base",
    "CalendarRow",
    "SupportService",
    "audit_log",
    "idempotency",
    "jobs",
    "metadata",
    "outbox",
]
