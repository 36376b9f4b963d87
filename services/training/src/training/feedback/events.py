"""The events feedback emits, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class FeedbackGiven(EventData):
    event_type = "feedback.given"
    session_id: str
    course_id: str
    trainer_subject: str
    rating: int
