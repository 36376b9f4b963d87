"""The problems of self-declarations' rules."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound


class DeclarationNotFound(NotFound):
    slug = "declaration-not-found"


class InvalidAnswers(Invalid):
    """One field error per wrong answer, each naming its question (`answers.<id>`)."""

    slug = "invalid-answers"


class DeclarationsClosed(FieldProblem, Conflict):
    """The round does not take declarations now (not announced or open, or past the deadline)."""

    slug = "declarations-closed"
