"""The events registrations emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class RegistrationConfirmed(EventData):
    event_type = "registration.confirmed"
    session_id: str
    person: str
    mode: str
    arrival: int
    # The registrant's library (ISIL), when their token named one: kpi counts per library.
    isil: str | None = None


class RegistrationWaitlisted(EventData):
    event_type = "registration.waitlisted"
    session_id: str
    person: str
    mode: str
    arrival: int
    waiting_position: int


class RegistrationPromoted(EventData):
    event_type = "registration.promoted"
    session_id: str
    person: str
    mode: str
    arrival: int
    # The registrant's library (ISIL), when their token named one: kpi counts per library.
    isil: str | None = None


class RegistrationCancelled(EventData):
    event_type = "registration.cancelled"
    session_id: str
    person: str
    mode: str
    was: str
    # The registrant's library (ISIL), when their token named one: kpi counts per library.
    isil: str | None = None


class AttendanceRecorded(EventData):
    event_type = "attendance.recorded"
    session_id: str
    person: str
    attended: bool
    # The registrant's library (ISIL), when their token named one: kpi counts per library.
    isil: str | None = None
