"""The problems paths' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound


class PathNotFound(NotFound):
    pass


class UnknownStep(FieldProblem, Invalid):
    slug = "unknown-reference"


class DuplicatePathSlug(FieldProblem, Conflict):
    slug = "duplicate-slug"
