"""The problems of negotiation's rules."""

from chassis.problems import Conflict, FieldProblem, Forbidden, Invalid


class NegotiationClosed(FieldProblem, Conflict):
    """The round is not in negotiation, or its window has closed."""

    slug = "negotiation-closed"


class OfferOfAnotherRound(FieldProblem, Invalid):
    slug = "offer-of-another-round"


class NoPendingProposal(FieldProblem, Conflict):
    slug = "no-pending-proposal"


class ProposalPending(FieldProblem, Conflict):
    slug = "proposal-pending"


class OfferHasOutcome(FieldProblem, Conflict):
    slug = "offer-has-outcome"


class OutcomeNotYours(FieldProblem, Forbidden):
    slug = "outcome-not-yours"


class UnknownOffer(FieldProblem, Invalid):
    slug = "unknown-offer"
