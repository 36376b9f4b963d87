"""The problems registrations' rules raise, each a kind with its own type."""

from chassis.problems import (
    Conflict,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
)


class RegistrationNotFound(NotFound):
    pass


class RegistrationClosed(Conflict):
    slug = "registration-closed"


class RegistrationNotOpen(Conflict):
    slug = "registration-not-open"


class AlreadyRegistered(Conflict):
    slug = "already-registered"


class SessionNotOpenForChanges(Conflict):
    slug = "session-not-scheduled"


class AlreadyCancelled(Conflict):
    slug = "already-cancelled"


class AttendanceNotYet(Conflict):
    slug = "attendance-not-yet"


class NotConfirmed(Conflict):
    slug = "not-confirmed"


class ModeNotOffered(FieldProblem, Invalid):
    slug = "mode-not-offered"


class OthersRegistrations(Forbidden):
    slug = "others-registrations"


class StaleRegistration(PreconditionFailed):
    pass
