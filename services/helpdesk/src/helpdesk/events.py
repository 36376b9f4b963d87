"""Every event type this service emits, as the feed's contract declares them."""

from chassis.outbox import EventData
from helpdesk.calls.events import CallLogged
from helpdesk.catalogue.events import (
    CalendarCreated,
    CalendarUpdated,
    ServiceCreated,
    ServiceUpdated,
)
from helpdesk.knowledge.events import ArticleCreated, ArticleLinked, ArticleUpdated, ArticleVoted
from helpdesk.satisfaction.events import CsatGiven
from helpdesk.tickets.attachments.events import AttachmentAdded
from helpdesk.tickets.events import (
    NoteAdded,
    ReplyAdded,
    SlaBreached,
    TicketClosedEvent,
    TicketCreated,
    TicketFirstResponded,
    TicketMoved,
    TicketReopened,
    TicketResolved,
    TicketUpdated,
)

EVENTS: list[type[EventData]] = [
    CalendarCreated,
    CalendarUpdated,
    ServiceCreated,
    ServiceUpdated,
    TicketCreated,
    TicketUpdated,
    TicketMoved,
    TicketFirstResponded,
    TicketResolved,
    TicketReopened,
    TicketClosedEvent,
    ReplyAdded,
    NoteAdded,
    SlaBreached,
    AttachmentAdded,
    CallLogged,
    CsatGiven,
    ArticleCreated,
    ArticleUpdated,
    ArticleVoted,
    ArticleLinked,
]
