"""create_app(settings): the catalogue service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI
from starlette.middleware import Middleware

from catalogue_licensing.agreements.cost_shares.routes import router as cost_shares_router
from catalogue_licensing.agreements.participation.routes import router as participation_router
from catalogue_licensing.agreements.routes import router as agreements_router
from catalogue_licensing.catalogue.fast_path import CatalogueFastPath
from catalogue_licensing.catalogue.routes import router as catalogue_router
from catalogue_licensing.directory.routes import router as directory_router
from catalogue_licensing.events import EVENTS
from catalogue_licensing.models import audit_log, idempotency, outbox
from catalogue_licensing.policy import POLICY
from catalogue_licensing.procurement.award.routes import router as award_router
from catalogue_licensing.procurement.declarations.routes import router as declarations_router
from catalogue_licensing.procurement.negotiation.routes import router as negotiation_router
from catalogue_licensing.procurement.ocds.routes import router as ocds_router
from catalogue_licensing.procurement.offers.routes import router as offers_router
from catalogue_licensing.procurement.questionnaire.routes import router as questionnaire_router
from catalogue_licensing.procurement.rounds.closing import CLOSE_ROUNDS
from catalogue_licensing.procurement.rounds.routes import router as rounds_router
from catalogue_licensing.products.routes import router as products_router
from catalogue_licensing.resources import catalogue_resources
from catalogue_licensing.settings import CatalogueSettings
from catalogue_licensing.vendors.routes import router as vendors_router
from catalogue_licensing.widget.routes import router as widget_router
from catalogue_licensing.wiring import wire
from chassis.audit import audit_router
from chassis.caller import caller_router
from chassis.jobs import purge_idempotency_records
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app

# Before any route, loader or test can change the directory: every process that serves or loads
# the catalogue imports its SPEC from here.
wire()

SPEC = ServiceSpec(
    name="catalogue",
    title="Catalogue and licensing",
    description="organisation directory, vendors, products, procurement rounds, agreements, cost shares, library catalogues.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[
        directory_router,
        vendors_router,
        products_router,
        agreements_router,
        participation_router,
        cost_shares_router,
        rounds_router,
        questionnaire_router,
        declarations_router,
        offers_router,
        negotiation_router,
        award_router,
        ocds_router,
        catalogue_router,
        widget_router,
        audit_router(audit_log),
        events_router(outbox, EVENTS),
        caller_router(),
    ],
    policy=POLICY,
    middleware=[Middleware(CatalogueFastPath)],
    resources=catalogue_resources,
    jobs=[purge_idempotency_records(idempotency), CLOSE_ROUNDS],
    tags=[
        {"name": "directory", "description": "Counties, municipalities and libraries"},
        {"name": "vendors", "description": "Companies that offer products to the programme"},
        {
            "name": "products",
            "description": "Products and their four answers, as their vendors manage them",
        },
        {"name": "agreements", "description": "Agreements, county participation, cost shares"},
        {
            "name": "procurement",
            "description": "Procurement rounds: announcement, declarations, sealed offers, award",
        },
        {"name": "catalogue", "description": "What each library offers, in the reader's language"},
        {"name": "audit", "description": "Who changed what, when"},
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


def create_app(settings: CatalogueSettings | None = None) -> FastAPI:
    return build_app(settings or CatalogueSettings(), SPEC)
