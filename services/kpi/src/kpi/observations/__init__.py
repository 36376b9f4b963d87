"""Observations: a value per indicator, organisation and ISO 8601 period, with its history."""
