"""Negotiation of an offer after the deadline: the programme's counter-proposals, the vendor's
answers (accept, revise, decline), and the offer's outcome (accepted, rejected, withdrawn)."""
