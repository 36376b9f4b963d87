"""create_app(settings): the training service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI

from chassis.caller import caller_router
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app
from training.models import outbox
from training.policy import POLICY
from training.settings import TrainingSettings

SPEC = ServiceSpec(
    name="training",
    title="Training",
    description="learning content, training calendar, registrations and waiting lists, feedback.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[events_router(outbox), caller_router()],
    policy=POLICY,
    tags=[
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    return build_app(settings or TrainingSettings(), SPEC)
