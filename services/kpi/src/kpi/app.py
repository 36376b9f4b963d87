"""create_app(settings): the kpi service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI

from chassis.audit import audit_router
from chassis.caller import caller_router
from chassis.jobs import purge_idempotency_records
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app
from kpi.charts.routes import router as charts_router
from kpi.costs.routes import router as costs_router
from kpi.events import EVENTS
from kpi.exports.routes import router as exports_router
from kpi.harvest.jobs import HARVEST_CATALOGUE, HARVEST_HELPDESK, HARVEST_TRAINING
from kpi.harvest.routes import router as harvests_router
from kpi.imports.routes import router as imports_router
from kpi.indicators.routes import router as indicators_router
from kpi.media import accept_declared_media
from kpi.models import audit_log, idempotency, outbox
from kpi.observations.routes import router as observations_router
from kpi.organisations.routes import router as organisations_router
from kpi.peers.routes import router as peers_router
from kpi.policy import POLICY
from kpi.portal.routes import router as portal_router
from kpi.publication.routes import router as datasets_router
from kpi.questions.routes import router as questions_router
from kpi.resources import kpi_resources
from kpi.settings import KpiSettings
from kpi.sushi.jobs import HARVEST_SUSHI
from kpi.sushi.routes import router as sushi_router
from kpi.usage.routes import router as usage_router

SPEC = ServiceSpec(
    name="kpi",
    title="KPI",
    description="indicators, observations with revisions, harvesting, published datasets.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[
        indicators_router,
        organisations_router,
        imports_router,
        questions_router,
        peers_router,
        observations_router,
        usage_router,
        costs_router,
        sushi_router,
        harvests_router,
        datasets_router,
        exports_router,
        charts_router,
        portal_router,
        audit_router(audit_log),
        events_router(outbox, EVENTS),
        caller_router(),
    ],
    policy=POLICY,
    resources=kpi_resources,
    jobs=[
        purge_idempotency_records(idempotency),
        HARVEST_CATALOGUE,
        HARVEST_TRAINING,
        HARVEST_HELPDESK,
        HARVEST_SUSHI,
    ],
    tags=[
        {"name": "indicators", "description": "What is measured and how it rolls up"},
        {
            "name": "organisations",
            "description": "Library, municipality, county or province, country; populations",
        },
        {"name": "observations", "description": "Figures with their history"},
        {"name": "imports", "description": "CSV imports of figures, all or nothing"},
        {"name": "questions", "description": "Roll-ups by each indicator's own rule"},
        {"name": "usage", "description": "COUNTER usage of digital products"},
        {"name": "datasets", "description": "Selections of figures published to an audience"},
        {"name": "exports", "description": "CSV with CSVW metadata"},
        {"name": "charts", "description": "SVG charts to embed"},
        {"name": "harvests", "description": "The other services' events feeds, harvested"},
        {"name": "audit", "description": "Who changed what, when"},
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


# Bodies besides JSON, by route: the CSV import, COUNTER's tabular reports.
ACCEPTED_MEDIA = {
    ("POST", "/v1/observations/import"): frozenset({b"text/csv"}),
    ("POST", "/v1/usage-reports"): frozenset({b"text/tab-separated-values", b"text/csv"}),
}


def create_app(settings: KpiSettings | None = None) -> FastAPI:
    """The service as it serves (`python -m kpi serve`) and as its tests run it."""
    return accept_declared_media(build_app(settings or KpiSettings(), SPEC), ACCEPTED_MEDIA)
