"""The problems the service catalogue's rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, InvalidField, NotFound


class CalendarNotFound(NotFound):
    pass


class ServiceNotFound(NotFound):
    pass


class DuplicateCode(FieldProblem, Conflict):
    slug = "duplicate-code"


class UnknownCalendar(InvalidField):
    slug = "unknown-calendar"


class CalendarInUse(Conflict):
    slug = "calendar-in-use"
