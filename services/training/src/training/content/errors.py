"""The problems content rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Forbidden, Invalid, NotFound


class TopicNotFound(NotFound):
    pass


class CourseNotFound(NotFound):
    pass


class ModuleNotFound(NotFound):
    pass


class LessonNotFound(NotFound):
    pass


class DuplicateSlug(FieldProblem, Conflict):
    slug = "duplicate-slug"


class UnknownReference(FieldProblem, Invalid):
    slug = "unknown-reference"


class DraftsAreTrainers(Forbidden):
    slug = "drafts-are-trainers"
