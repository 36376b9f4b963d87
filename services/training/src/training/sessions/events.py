"""The events sessions emit, one model per type (declared in the feed's contract)."""

from datetime import datetime

from chassis.outbox import EventData


class SessionScheduled(EventData):
    event_type = "session.scheduled"
    course_id: str
    track: str
    format: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    language: str
    trainer_subject: str
    capacity: dict[str, int]


class SessionUpdated(EventData):
    event_type = "session.updated"
    changed: list[str]


class SessionCancelled(EventData):
    event_type = "session.cancelled"
    course_id: str
    starts_at: datetime
    confirmed: int


class SessionCompleted(EventData):
    event_type = "session.completed"
    course_id: str
