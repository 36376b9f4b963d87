"""Every event type this service emits, as the feed's contract declares them (a drift test checks
that every EventData model in the package is listed here)."""

from chassis.outbox import EventData
from training.calendar.events import FeedTokenCreated, FeedTokenRevoked
from training.content.events import (
    CourseCreated,
    CourseUpdated,
    LessonCreated,
    LessonUpdated,
    ModuleCreated,
    ModuleUpdated,
    TopicCreated,
    TopicUpdated,
)
from training.feedback.events import FeedbackGiven
from training.paths.events import LessonCompleted, PathCreated, PathUpdated
from training.recordings.events import RecordingAdded, RecordingUpdated, SubtitlesUploaded
from training.registrations.events import (
    AttendanceRecorded,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationPromoted,
    RegistrationWaitlisted,
)
from training.sessions.events import (
    SessionCancelled,
    SessionCompleted,
    SessionScheduled,
    SessionUpdated,
)

EVENTS: list[type[EventData]] = [
    TopicCreated,
    TopicUpdated,
    CourseCreated,
    CourseUpdated,
    ModuleCreated,
    ModuleUpdated,
    LessonCreated,
    LessonUpdated,
    SessionScheduled,
    SessionUpdated,
    SessionCancelled,
    SessionCompleted,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    RegistrationPromoted,
    RegistrationCancelled,
    AttendanceRecorded,
    FeedTokenCreated,
    FeedTokenRevoked,
    RecordingAdded,
    RecordingUpdated,
    SubtitlesUploaded,
    FeedbackGiven,
    PathCreated,
    PathUpdated,
    LessonCompleted,
]
