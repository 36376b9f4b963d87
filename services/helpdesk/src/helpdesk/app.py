"""create_app(settings): the helpdesk service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI

from chassis.caller import caller_router
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app
from helpdesk.models import outbox
from helpdesk.policy import POLICY
from helpdesk.settings import HelpdeskSettings

SPEC = ServiceSpec(
    name="helpdesk",
    title="Helpdesk",
    description="service catalogue with support promises, tickets and SLA clocks, knowledge base.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[events_router(outbox), caller_router()],
    policy=POLICY,
    tags=[
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


def create_app(settings: HelpdeskSettings | None = None) -> FastAPI:
    return build_app(settings or HelpdeskSettings(), SPEC)
