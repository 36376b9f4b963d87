"""The events paths and progress emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class PathCreated(EventData):
    event_type = "path.created"
    slug: str
    steps: int


class PathUpdated(EventData):
    event_type = "path.updated"
    slug: str
    status: str
    changed: list[str]


class LessonCompleted(EventData):
    event_type = "lesson.completed"
    lesson_id: str
    person: str
