"""The problems the feeds raise, each a kind with its own type."""

from chassis.problems import NotFound


class FeedNotFound(NotFound):
    slug = "feed-not-found"


class FeedTokenNotFound(NotFound):
    pass
