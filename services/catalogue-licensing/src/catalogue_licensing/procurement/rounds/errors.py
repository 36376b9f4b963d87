"""The problems of rounds' rules, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound


class RoundNotFound(NotFound):
    pass


class ScheduleOutOfOrder(Invalid):
    """One or more of the round's dates are not in the order the cycle runs (each field named)."""

    slug = "schedule-out-of-order"


class MoveOutOfOrder(FieldProblem, Conflict):
    slug = "round-move-out-of-order"


class MoveTooEarly(FieldProblem, Conflict):
    """A move whose date has not come yet in the round's time zone (the date field is named)."""

    slug = "round-date-not-reached"


class MoveTooLate(FieldProblem, Conflict):
    slug = "round-date-passed"


class RoundNotReady(FieldProblem, Conflict):
    """A move that needs a field the round lacks (a notice identifier, ...)."""

    slug = "round-not-ready"


class RoundNotEditable(Conflict):
    slug = "round-not-editable"
