"""Wiring the domains together at start-up: registrations follow the sessions' seats (seats added
promote the first waiting people), so the sessions never import the registrations."""

from __future__ import annotations

from training.registrations.service import promote_waiting
from training.sessions.followers import FOLLOWERS


def wire() -> None:
    """Subscribe the registrations to the sessions; safe to call more than once."""
    FOLLOWERS.subscribe(seats_added=promote_waiting)
