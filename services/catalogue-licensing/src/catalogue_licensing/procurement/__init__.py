"""Procurement: rounds from announcement to award, questionnaires and self-declarations, sealed
offers, negotiation, award, and the round's OCDS export."""
