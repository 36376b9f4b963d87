"""Self-declarations: a vendor's answers to a round's questionnaire, per product."""
