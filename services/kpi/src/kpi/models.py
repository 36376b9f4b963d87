"""Every table of the kpi service, gathered so migrations and tests see one metadata."""

from kpi.costs.models import Agreement, CostShare
from kpi.db import Base, audit_log, idempotency, jobs, metadata, outbox
from kpi.harvest.models import FeedCursor, HarvestedEvent, HarvestedFact
from kpi.imports.models import ObservationImport
from kpi.indicators.models import Indicator
from kpi.observations.models import Observation, ObservationRevision
from kpi.organisations.models import Organisation, Population
from kpi.publication.models import Dataset
from kpi.sushi.models import SushiEndpoint, SushiHarvest
from kpi.usage.models import Product, UsageCount, UsageReport

__all__ = [
    "Agreement",
    "Base",
    "CostShare",
    "Dataset",
    "FeedCursor",
    "HarvestedEvent",
    "HarvestedFact",
    "Indicator",
    "Observation",
    "ObservationImport",
    "ObservationRevision",
    "Organisation",
    "Population",
    "Product",
    "SushiEndpoint",
    "SushiHarvest",
    "UsageCount",
    "UsageReport",
    "audit_log",
    "idempotency",
    "jobs",
    "metadata",
    "outbox",
]
