"""Every table of the kpi service, gathered so migrations and tests see one metadata."""

from kpi.db import Base, audit_log, idempotency, jobs, metadata, outbox
from kpi.indicators.models import Indicator

__all__ = [
    "Base",
    "Indicator",
    "audit_log",
    "idempotency",
    "jobs",
    "metadata",
    "outbox",
]
