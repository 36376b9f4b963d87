"""The problems of charts."""

from chassis.problems import Invalid
from kpi.query_problems import QueryOrBodyProblem


class NotInDataset(QueryOrBodyProblem, Invalid):
    """A chart asked of an indicator the dataset does not hold."""

    slug = "not-in-dataset"
