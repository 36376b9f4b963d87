"""Wiring the domains together at start-up: registrations follow the sessions' seats (seats added
promote the first waiting people), recordings follow their course in and out of search; the
lower domains never import the higher ones."""

from __future__ import annotations

from training.content.followers import FOLLOWERS as CONTENT
from training.recordings.service import follow_course
from training.registrations.service import promote_waiting
from training.sessions.followers import FOLLOWERS as SESSIONS


def wire() -> None:
    """Subscribe registrations to the sessions and recordings to content; safe to call more
    than once."""
    SESSIONS.subscribe(seats_added=promote_waiting)
    CONTENT.subscribe(course_synced=follow_course)
