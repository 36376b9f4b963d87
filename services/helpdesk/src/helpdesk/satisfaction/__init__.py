"""Satisfaction: after resolution the requester rates the help, once."""
