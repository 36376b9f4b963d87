"""The problems participation's rules raise, each a kind with its own type."""

from chassis.problems import Conflict, Forbidden, NotFound


class ParticipationNotFound(NotFound):
    pass


class ForeignCounty(Forbidden):
    slug = "foreign-county"


class WeightsIncomplete(Conflict):
    slug = "weights-incomplete"


class LibraryTakesPart(Conflict):
    """Raised when the directory would move a participating library to another county."""

    slug = "library-takes-part"
