"""The events recordings emit, one model per type (declared in the feed's contract)."""

from chassis.outbox import EventData


class RecordingAdded(EventData):
    event_type = "recording.added"
    session_id: str
    course_id: str


class RecordingUpdated(EventData):
    event_type = "recording.updated"
    session_id: str
    changed: list[str]


class SubtitlesUploaded(EventData):
    event_type = "subtitles.uploaded"
    recording_id: str
    lang: str
    cues: int
