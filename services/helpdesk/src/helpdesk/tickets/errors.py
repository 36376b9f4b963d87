"""The problems tickets' rules raise, each a kind with its own type."""

from chassis.problems import Conflict, Forbidden, InvalidField, NotFound


class TicketNotFound(NotFound):
    pass


class UnknownService(InvalidField):
    slug = "unknown-service"


class UnknownCategory(InvalidField):
    slug = "unknown-category"


class LibraryRequired(InvalidField):
    slug = "library-required"


class NoLibraryInToken(Forbidden):
    slug = "no-library-in-token"


class MoveNotAllowed(Conflict):
    slug = "move-not-allowed"


class ReopenWindowPassed(Conflict):
    slug = "reopen-window-passed"


class NotYoursToSet(Forbidden):
    slug = "not-yours-to-set"


class TicketClosed(Conflict):
    slug = "ticket-closed"


class CannotMerge(Conflict):
    slug = "cannot-merge"
