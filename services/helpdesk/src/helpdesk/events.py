"""Every event type this service emits, as the feed's contract declares them."""

from chassis.outbox import EventData
from helpdesk.catalogue.events import (
    CalendarCreated,
    CalendarUpdated,
    ServiceCreated,
    ServiceUpdated,
)

EVENTS: list[type[EventData]] = [
    CalendarCreated,
    CalendarUpdated,
    ServiceCreated,
    ServiceUpdated,
]
