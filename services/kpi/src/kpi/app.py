"""create_app(settings): the kpi service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI

from chassis.audit import audit_router
from chassis.caller import caller_router
from chassis.jobs import purge_idempotency_records
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app
from kpi.events import EVENTS
from kpi.indicators.routes import router as indicators_router
from kpi.models import audit_log, idempotency, outbox
from kpi.observations.routes import router as observations_router
from kpi.organisations.routes import router as organisations_router
from kpi.policy import POLICY
from kpi.settings import KpiSettings

SPEC = ServiceSpec(
    name="kpi",
    title="KPI",
    description="indicators, observations with revisions, harvesting, published datasets.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[
        indicators_router,
        organisations_router,
        observations_router,
        audit_router(audit_log),
        events_router(outbox, EVENTS),
        caller_router(),
    ],
    policy=POLICY,
    jobs=[purge_idempotency_records(idempotency)],
    tags=[
        {"name": "indicators", "description": "What is measured and how it rolls up"},
        {
            "name": "organisations",
            "description": "Library, municipality, county or province, country; populations",
        },
        {"name": "observations", "description": "Figures with their history"},
        {"name": "audit", "description": "Who changed what, when"},
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


def create_app(settings: KpiSettings | None = None) -> FastAPI:
    return build_app(settings or KpiSettings(), SPEC)
