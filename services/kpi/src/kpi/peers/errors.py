"""The problems peer comparisons and rankings raise."""

from chassis.problems import Invalid
from kpi.query_problems import QueryOrBodyProblem


class NotComparable(QueryOrBodyProblem, Invalid):
    """The question has no answer for this organisation or level (a county has no peers)."""

    slug = "not-comparable"


class BadComparisonPeriod(QueryOrBodyProblem, Invalid):
    slug = "bad-period"
