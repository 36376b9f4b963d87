"""create_app(settings): the training service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI

from chassis.audit import audit_router
from chassis.caller import caller_router
from chassis.jobs import purge_idempotency_records
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app
from training.calendar.routes import router as calendar_router
from training.content.lesson_routes import router as lessons_router
from training.content.routes import router as content_router
from training.events import EVENTS
from training.feedback.routes import router as feedback_router
from training.models import audit_log, idempotency, outbox
from training.paths.routes import router as paths_router
from training.policy import POLICY
from training.recordings.routes import router as recordings_router
from training.registrations.routes import router as registrations_router
from training.resources import training_resources
from training.searching.routes import router as search_router
from training.sessions.routes import router as sessions_router
from training.settings import TrainingSettings
from training.wiring import wire

# Before any route, loader or test changes a session: every process imports its SPEC from here.
wire()

SPEC = ServiceSpec(
    name="training",
    title="Training",
    description="learning content, training calendar, registrations and waiting lists, feedback.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[
        content_router,
        lessons_router,
        search_router,
        sessions_router,
        registrations_router,
        calendar_router,
        recordings_router,
        feedback_router,
        paths_router,
        audit_router(audit_log),
        events_router(outbox, EVENTS),
        caller_router(),
    ],
    policy=POLICY,
    resources=training_resources,
    jobs=[purge_idempotency_records(idempotency)],
    tags=[
        {"name": "content", "description": "Topics, courses, modules and lessons"},
        {"name": "search", "description": "Published content, ranked, in nl, nb, nn and en"},
        {"name": "sessions", "description": "The calendar: dated sessions of courses, with seats"},
        {"name": "registrations", "description": "Seats, waiting lists, promotion, attendance"},
        {"name": "calendar", "description": "iCalendar feeds: public, and each person's own"},
        {"name": "recordings", "description": "Recorded sessions with WebVTT subtitles"},
        {"name": "feedback", "description": "Attendees' ratings and their aggregates"},
        {"name": "paths", "description": "Onboarding paths, progress, print versions"},
        {"name": "audit", "description": "Who changed what, when"},
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    return build_app(settings or TrainingSettings(), SPEC)
