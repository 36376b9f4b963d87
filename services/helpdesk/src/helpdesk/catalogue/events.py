"""The events the service catalogue emits, one model per type."""

from chassis.outbox import EventData


class CalendarCreated(EventData):
    event_type = "calendar.created"
    code: str


class CalendarUpdated(EventData):
    event_type = "calendar.updated"
    changed: list[str]


class ServiceCreated(EventData):
    event_type = "service.created"
    code: str


class ServiceUpdated(EventData):
    event_type = "service.updated"
    changed: list[str]
