"""Every event type this service emits, as the feed's contract declares them (a drift test checks
that every EventData model in the package is listed here)."""

from chassis.outbox import EventData
from training.content.events import (
    CourseCreated,
    CourseUpdated,
    LessonCreated,
    LessonUpdated,
    ModuleCreated,
    ModuleUpdated,
    TopicCreated,
    TopicUpdated,
)

EVENTS: list[type[EventData]] = [
    TopicCreated,
    TopicUpdated,
    CourseCreated,
    CourseUpdated,
    ModuleCreated,
    ModuleUpdated,
    LessonCreated,
    LessonUpdated,
]
