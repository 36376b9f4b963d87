"""Every table of the helpdesk service, gathered so migrations and tests see one metadata."""

from helpdesk.calls.models import Call
from helpdesk.catalogue.models import CalendarRow, SupportService
from helpdesk.db import Base, audit_log, idempotency, jobs, metadata, outbox
from helpdesk.knowledge.models import Article, ArticleVote, TicketArticle
from helpdesk.satisfaction.models import Rating
from helpdesk.tickets.models import Ticket, TicketAttachment, TicketComment

__all__ = [
    "Article",
    "ArticleVote",
    "Base",
    "CalendarRow",
    "Call",
    "Rating",
    "SupportService",
    "Ticket",
    "TicketArticle",
    "TicketAttachment",
    "TicketComment",
    "audit_log",
    "idempotency",
    "jobs",
    "metadata",
    "outbox",
]
