"""The problems observations' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Forbidden, Invalid, NotFound
from kpi.query_problems import QueryOrBodyProblem


class ObservationNotFound(NotFound):
    slug = "observation-not-found"


class UnknownIndicator(QueryOrBodyProblem, Invalid):
    slug = "unknown-indicator"


class DerivedIndicator(FieldProblem, Invalid):
    """A ratio of sums is computed from its parts; its figures are never entered."""

    slug = "derived-indicator"


class UnknownOrganisation(QueryOrBodyProblem, Invalid):
    slug = "unknown-organisation"


class BadPeriod(QueryOrBodyProblem, Invalid):
    """Not an ISO 8601 period, not the indicator's periodicity, or not begun yet."""

    slug = "bad-period"


class BadValue(FieldProblem, Invalid):
    """A value its indicator's value type does not allow (a fraction of a count, a negative)."""

    slug = "bad-value"


class DuplicateObservation(FieldProblem, Conflict):
    slug = "duplicate-observation"


class NotYourOrganisation(QueryOrBodyProblem, Forbidden):
    slug = "not-your-organisation"
