"""The problems vendors' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Forbidden, NotFound


class VendorNotFound(NotFound):
    pass


class DuplicateOrgNumber(FieldProblem, Conflict):
    slug = "duplicate-org-number"


class FieldNotYoursToChange(Forbidden):
    slug = "field-not-yours-to-change"
