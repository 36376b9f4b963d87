"""The problems usage reports raise, each a kind with its own type."""

from chassis.problems import Invalid, NotFound, TypedProblem
from kpi.query_problems import QueryOrBodyProblem


class NotCounterReport(Invalid):
    """The body is not a COUNTER 5 or 5.1 report; the detail says what is wrong and where."""

    slug = "not-counter"


class CounterErrors(Invalid):
    """The reply holds error Exceptions and no usage: nothing to record (`exceptions` lists
    them; retry later for 1011, fix the request for 3020 …)."""

    slug = "counter-exceptions"


class UnknownProduct(QueryOrBodyProblem, Invalid):
    slug = "unknown-product"


class UsageReportNotFound(NotFound):
    slug = "usage-report-not-found"


class NotReportMedia(TypedProblem):
    status_code = 415
    slug = "unsupported-media-type"
