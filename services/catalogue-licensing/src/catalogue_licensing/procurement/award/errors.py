"""The problems of awards."""

from chassis.problems import Conflict, FieldProblem, Invalid


class RoundNotAwarding(FieldProblem, Conflict):
    slug = "round-not-awarding"


class OfferNotAccepted(FieldProblem, Conflict):
    slug = "offer-not-accepted"


class AlreadyAwarded(FieldProblem, Conflict):
    slug = "already-awarded"


class PriceNeeded(FieldProblem, Invalid):
    slug = "price-needed"


class RoundNotSettled(FieldProblem, Conflict):
    """The round cannot conclude: an offer lacks its outcome or an accepted one its agreement."""

    slug = "round-not-settled"
