"""A round's questionnaire: the questions every vendor answers per product (its self-declaration)."""
