"""The problems feedback's rules raise, each a kind with its own type."""

from chassis.problems import Conflict, Forbidden


class NotAnAttendee(Forbidden):
    slug = "not-an-attendee"


class FeedbackGiven(Conflict):
    slug = "feedback-given"
