"""The events the private feeds emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class FeedTokenCreated(EventData):
    event_type = "calendar_feed.created"
    person: str


class FeedTokenRevoked(EventData):
    event_type = "calendar_feed.revoked"
    person: str
