"""create_app(settings): the helpdesk service's FastAPI application."""

from pathlib import Path

from fastapi import FastAPI

from chassis.audit import audit_router
from chassis.caller import caller_router
from chassis.jobs import purge_idempotency_records
from chassis.outbox import events_router
from chassis.service import ServiceSpec, build_app
from helpdesk.calls.routes import router as calls_router
from helpdesk.catalogue.routes import router as catalogue_router
from helpdesk.events import EVENTS
from helpdesk.figures.routes import router as figures_router
from helpdesk.knowledge.routes import router as knowledge_router
from helpdesk.models import audit_log, idempotency, outbox
from helpdesk.policy import POLICY
from helpdesk.promises.routes import router as promises_router
from helpdesk.resources import helpdesk_resources
from helpdesk.satisfaction.routes import router as satisfaction_router
from helpdesk.settings import HelpdeskSettings
from helpdesk.sla.escalation import sla_escalation_job
from helpdesk.sla.routes import router as sla_router
from helpdesk.tickets.attachments.routes import router as attachments_router
from helpdesk.tickets.closing import close_resolved_job
from helpdesk.tickets.routes import router as tickets_router

SPEC = ServiceSpec(
    name="helpdesk",
    title="Helpdesk",
    description="service catalogue with support promises, tickets and SLA clocks, knowledge base.",
    version="0.1.0",
    component_dir=Path(__file__).resolve().parents[2],
    routers=[
        promises_router,
        catalogue_router,
        tickets_router,
        attachments_router,
        sla_router,
        calls_router,
        satisfaction_router,
        figures_router,
        knowledge_router,
        audit_router(audit_log),
        events_router(outbox, EVENTS),
        caller_router(),
    ],
    policy=POLICY,
    resources=helpdesk_resources,
    jobs=[purge_idempotency_records(idempotency), sla_escalation_job, close_resolved_job],
    tags=[
        {"name": "catalogue", "description": "Supported services, calendars and promises"},
        {"name": "tickets", "description": "Tickets, their states, replies and notes"},
        {"name": "calls", "description": "The phone log"},
        {"name": "satisfaction", "description": "Ratings of the help, after resolution"},
        {"name": "reports", "description": "Figures: volumes, times, compliance, backlog"},
        {"name": "knowledge", "description": "Knowledge-base articles and their search"},
        {"name": "audit", "description": "Who changed what, when"},
        {"name": "events", "description": "Domain events, read as a pull feed"},
        {"name": "caller", "description": "The caller as this service sees its token"},
    ],
)


def create_app(settings: HelpdeskSettings | None = None) -> FastAPI:
    return build_app(settings or HelpdeskSettings(), SPEC)
