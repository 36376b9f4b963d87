"""The events learning content emits, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class TopicCreated(EventData):
    event_type = "topic.created"
    slug: str


class TopicUpdated(EventData):
    event_type = "topic.updated"
    changed: list[str]


class CourseCreated(EventData):
    event_type = "course.created"
    slug: str
    status: str


class CourseUpdated(EventData):
    event_type = "course.updated"
    slug: str
    status: str
    changed: list[str]


class ModuleCreated(EventData):
    event_type = "module.created"
    course_id: str


class ModuleUpdated(EventData):
    event_type = "module.updated"
    changed: list[str]


class LessonCreated(EventData):
    event_type = "lesson.created"
    slug: str
    status: str


class LessonUpdated(EventData):
    event_type = "lesson.updated"
    slug: str
    status: str
    changed: list[str]
