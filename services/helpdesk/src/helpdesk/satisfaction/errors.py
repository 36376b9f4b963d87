"""The problems satisfaction raises."""

from chassis.problems import Conflict, Forbidden


class NotResolvedYet(Conflict):
    slug = "not-resolved-yet"


class AlreadyRated(Conflict):
    slug = "already-rated"


class NotAsked(Conflict):
    slug = "satisfaction-not-asked"


class NotTheRequester(Forbidden):
    slug = "not-the-requester"
