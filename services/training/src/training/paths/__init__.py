"""Onboarding paths: an ordered route of courses and dated sessions for new staff, each person's
progress along it, and a print-friendly version of a course or a path."""
