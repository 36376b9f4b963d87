"""The problems of datasets."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound


class DatasetNotFound(NotFound):
    slug = "dataset-not-found"


class UnknownDatasetIndicator(FieldProblem, Invalid):
    slug = "unknown-indicator"


class BadDatasetPeriod(FieldProblem, Invalid):
    slug = "bad-period"


class TooManyCells(FieldProblem, Invalid):
    slug = "too-many-cells"


class DatasetState(FieldProblem, Conflict):
    """Publishing a dataset that is not a draft, withdrawing one that is not published."""

    slug = "dataset-state"
