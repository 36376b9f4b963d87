"""The problems recordings' rules raise, each a kind with its own type."""

from chassis.problems import FieldProblem, Invalid, NotFound


class RecordingNotFound(NotFound):
    pass


class SubtitlesNotFound(NotFound):
    pass


class UnknownSession(FieldProblem, Invalid):
    slug = "unknown-reference"


class MalformedWebVTT(FieldProblem, Invalid):
    slug = "malformed-webvtt"
