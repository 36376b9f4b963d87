"""The problems products' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, FieldProblem, Forbidden, NotFound, Unprocessable


class ProductNotFound(NotFound):
    pass


class ProductIsRetired(Conflict):
    slug = "product-retired"


class StatusMoveNotAllowed(Conflict):
    slug = "status-move-not-allowed"


class FieldNotYoursToSet(FieldProblem, Forbidden):
    slug = "field-not-yours-to-set"


class TokenVendorUnknown(Forbidden):
    """The vendor a vendor's token names is not registered."""

    slug = "unknown-vendor"


class UnknownVendor(FieldProblem, Unprocessable):
    slug = "unknown-vendor"


class MissingVendor(FieldProblem, Unprocessable):
    slug = "missing-vendor"


class SushiUrlUnresolvable(FieldProblem, Unprocessable):
    slug = "sushi-url-unresolvable"


class SushiUrlNotAllowed(FieldProblem, Unprocessable):
    """Not a URL the harvester calls: a port outside CATALOGUE_SUSHI_PORTS."""

    slug = "sushi-url-not-allowed"


class SushiUrlNotPublic(FieldProblem, Unprocessable):
    slug = "sushi-url-not-public"
