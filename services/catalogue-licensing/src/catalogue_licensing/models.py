"""Every table of the catalogue service, gathered so migrations and tests see one metadata."""

from catalogue_licensing.agreements.models import Agreement, CostShare, Participation
from catalogue_licensing.audit.models import AuditEntry
from catalogue_licensing.db import Base, audit_log, idempotency, metadata, outbox
from catalogue_licensing.directory.models import (
    Country,
    County,
    CountyPopulation,
    Library,
    Municipality,
    MunicipalityPopulation,
)
from catalogue_licensing.procurement.declarations.models import Declaration
from catalogue_licensing.procurement.negotiation.models import NegotiationStep
from catalogue_licensing.procurement.offers.models import Offer, OfferVersion
from catalogue_licensing.procurement.questionnaire.models import Questionnaire
from catalogue_licensing.procurement.rounds.models import ProcurementRound, RoundMove
from catalogue_licensing.products.models import Product
from catalogue_licensing.vendors.models import Vendor

__all__ = [
    "Agreement",
    "AuditEntry",
    "Base",
    "CostShare",
    "Country",
    "County",
    "CountyPopulation",
    "Declaration",
    "Library",
    "Municipality",
    "MunicipalityPopulation",
    "NegotiationStep",
    "Offer",
    "OfferVersion",
    "Participation",
    "ProcurementRound",
    "Product",
    "Questionnaire",
    "RoundMove",
    "Vendor",
    "audit_log",
    "idempotency",
    "metadata",
    "outbox",
]
