"""The problems of offers' rules."""

from chassis.problems import Conflict, FieldProblem, Invalid, NotFound, TypedProblem


class OfferNotFound(NotFound):
    slug = "offer-not-found"


class OffersClosed(FieldProblem, Conflict):
    """The round takes no offers now (not open, or its offer deadline has passed)."""

    slug = "offers-closed"


class DeclarationIncomplete(FieldProblem, Conflict):
    slug = "declaration-incomplete"


class OfferExists(FieldProblem, Conflict):
    slug = "offer-exists"


class ProductRetired(FieldProblem, Conflict):
    slug = "offered-product-retired"


class UnknownProduct(FieldProblem, Invalid):
    slug = "unknown-product"


class PricingInvalid(Invalid):
    """Price lines that do not fit the pricing model (tiers that overlap or leave gaps ...)."""

    slug = "pricing-invalid"


class OfferUnreadable(TypedProblem):
    """Stored content that this process cannot decrypt: a configuration fault, not the client's."""

    status_code = 500
    slug = "offer-unreadable"
