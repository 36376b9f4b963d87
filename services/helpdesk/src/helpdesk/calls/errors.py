"""The problems the phone log raises."""

from chassis.problems import InvalidField, NotFound


class CallNotFound(NotFound):
    pass


class CallInFuture(InvalidField):
    slug = "call-in-future"


class TicketOfAnotherLibrary(InvalidField):
    slug = "ticket-of-another-library"


class UnknownTicket(InvalidField):
    slug = "unknown-ticket"
