"""The problems sessions' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound


class SessionNotFound(NotFound):
    pass


class UnknownTimeZone(FieldProblem, Invalid):
    slug = "unknown-time-zone"


class NonexistentLocalTime(FieldProblem, Invalid):
    slug = "nonexistent-local-time"


class EndsBeforeStart(FieldProblem, Invalid):
    slug = "ends-before-start"


class BadRegistrationWindow(FieldProblem, Invalid):
    slug = "bad-registration-window"


class FormatNeedsPlace(FieldProblem, Invalid):
    slug = "format-needs-place"


class CapacityBelowConfirmed(FieldProblem, Conflict):
    slug = "capacity-below-confirmed"


class SessionNotScheduled(Conflict):
    slug = "session-not-scheduled"


class UnknownCourse(FieldProblem, Invalid):
    slug = "unknown-reference"
