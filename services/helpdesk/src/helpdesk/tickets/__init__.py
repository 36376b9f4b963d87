"""Tickets: raised by library staff or by an agent for them, worked through one state table."""
