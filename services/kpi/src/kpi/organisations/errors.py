"""The problems organisations' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound


class OrganisationNotFound(NotFound):
    slug = "organisation-not-found"


class DuplicateOrganisation(FieldProblem, Conflict):
    slug = "duplicate-organisation"


class BadCode(FieldProblem, Invalid):
    """A natural code that is not the shape its level's codes have."""

    slug = "bad-code"


class BadParent(FieldProblem, Invalid):
    """A parent that does not exist or is not one level up."""

    slug = "bad-parent"
