"""The refusal every key operation raises when it cannot do what was asked."""

from __future__ import annotations


class KeyRefused(Exception):
    """A key operation that cannot be done as asked; the message says why and what to do."""
