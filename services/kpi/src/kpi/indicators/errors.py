"""The problems indicators' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound


class IndicatorNotFound(NotFound):
    slug = "indicator-not-found"


class DuplicateIndicator(FieldProblem, Conflict):
    slug = "duplicate-indicator"


class UnknownComponent(FieldProblem, Invalid):
    """A ratio's numerator or denominator, or a weighted mean's weight, that is no indicator."""

    slug = "unknown-indicator"


class RollupParts(FieldProblem, Invalid):
    """The parts a roll-up rule needs (a ratio's two, a weighted mean's weight), or parts it
    must not have."""

    slug = "rollup-parts"
