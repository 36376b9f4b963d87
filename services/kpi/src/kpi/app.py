"""create_app(settings): the kpi service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI

from chassis.caller import caller_router
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app
from kpi.models import outbox
from kpi.policy import POLICY
from kpi.settings import KpiSettings

SPEC = ServiceSpec(
    name="kpi",
    title="KPI",
    description="indicators, observations with revisions, harvesting, published datasets.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[events_router(outbox), caller_router()],
    policy=POLICY,
    tags=[
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


def create_app(settings: KpiSettings | None = None) -> FastAPI:
    return build_app(settings or KpiSettings(), SPEC)
