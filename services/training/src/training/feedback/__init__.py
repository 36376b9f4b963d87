"""Feedback: attendees rate a session once (1 to 5, with a comment); aggregates per session,
course and trainer."""
