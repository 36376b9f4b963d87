"""Every event type this service emits, as the feed's contract declares them (a drift test checks
that every EventData model in the package is listed here)."""

from catalogue_licensing.agreements.cost_shares.events import CostSharesRecomputed
from catalogue_licensing.agreements.events import AgreementCreated, AgreementUpdated
from catalogue_licensing.agreements.participation.events import ParticipationChanged
from catalogue_licensing.directory.events import (
    CountyPopulationSet,
    LibraryCreated,
    LibraryUpdated,
    MunicipalityPopulationSet,
)
from catalogue_licensing.procurement.award.events import AgreementAwarded
from catalogue_licensing.procurement.declarations.events import DeclarationSubmitted
from catalogue_licensing.procurement.negotiation.events import (
    CounterProposalAnswered,
    CounterProposalSent,
    OfferAccepted,
    OfferRejected,
    OfferWithdrawn,
)
from catalogue_licensing.procurement.offers.events import OfferRevised, OfferSubmitted
from catalogue_licensing.procurement.questionnaire.events import QuestionnaireSet
from catalogue_licensing.procurement.rounds.events import (
    RoundAnnounced,
    RoundAwarded,
    RoundCancelled,
    RoundClosed,
    RoundConcluded,
    RoundCreated,
    RoundNegotiationStarted,
    RoundOpened,
    RoundUpdated,
)
from catalogue_licensing.products.events import (
    ProductActivated,
    ProductCreated,
    ProductRetired,
    ProductUpdated,
)
from catalogue_licensing.vendors.events import VendorCreated, VendorUpdated
from chassis.outbox import EventData

EVENTS: list[type[EventData]] = [
    VendorCreated,
    VendorUpdated,
    ProductCreated,
    ProductUpdated,
    ProductActivated,
    ProductRetired,
    LibraryCreated,
    LibraryUpdated,
    CountyPopulationSet,
    MunicipalityPopulationSet,
    AgreementCreated,
    AgreementUpdated,
    ParticipationChanged,
    CostSharesRecomputed,
    RoundCreated,
    RoundUpdated,
    RoundAnnounced,
    RoundOpened,
    RoundClosed,
    RoundNegotiationStarted,
    RoundAwarded,
    RoundConcluded,
    RoundCancelled,
    QuestionnaireSet,
    DeclarationSubmitted,
    OfferSubmitted,
    OfferRevised,
    CounterProposalSent,
    CounterProposalAnswered,
    OfferAccepted,
    OfferRejected,
    OfferWithdrawn,
    AgreementAwarded,
]
