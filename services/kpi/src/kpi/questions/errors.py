"""The problems roll-ups raise."""

from chassis.problems import Forbidden, Invalid
from kpi.query_problems import QueryOrBodyProblem


class NotYourOrganisationsFigures(QueryOrBodyProblem, Forbidden):
    slug = "not-your-organisation"


class BadRollupPeriod(QueryOrBodyProblem, Invalid):
    slug = "bad-period"


class BadSeries(QueryOrBodyProblem, Invalid):
    slug = "bad-series"
