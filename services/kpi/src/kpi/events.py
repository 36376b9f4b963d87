"""Every event type this service emits, as the feed's contract declares them."""

from chassis.outbox import EventData
from kpi.costs.events import AgreementRecorded, CostSharesRecorded
from kpi.imports.events import (
    ObservationImportFailed,
    ObservationImportStarted,
    ObservationsImported,
)
from kpi.indicators.events import IndicatorCreated, IndicatorUpdated
from kpi.observations.events import ObservationCorrected, ObservationRecorded
from kpi.organisations.events import OrganisationCreated, OrganisationUpdated, PopulationSet
from kpi.publication.events import DatasetCreated, DatasetPublished, DatasetWithdrawn
from kpi.sushi.events import SushiEndpointSaved, SushiHarvestFailed
from kpi.usage.events import ProductRecorded, UsageReportUploaded

EVENTS: list[type[EventData]] = [
    IndicatorCreated,
    IndicatorUpdated,
    OrganisationCreated,
    OrganisationUpdated,
    PopulationSet,
    ObservationRecorded,
    ObservationCorrected,
    ObservationImportStarted,
    ObservationsImported,
    ObservationImportFailed,
    UsageReportUploaded,
    ProductRecorded,
    AgreementRecorded,
    CostSharesRecorded,
    DatasetCreated,
    DatasetPublished,
    DatasetWithdrawn,
    SushiEndpointSaved,
    SushiHarvestFailed,
]
