"""Who may call each operation of the training service, and how the caller's scope narrows it."""

from chassis.caller import CALLER_RULE
from chassis.policy import Policy, allow, public

_CONTENT_READERS = ("trainer", "staff")
_DRAFTS = "staff: published content only (a draft is 404); trainer: drafts too"

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "list_audit_entries": allow("trainer", scope="none: the whole trail"),
    "read_caller": CALLER_RULE,
    # Learning content: trainers write it, staff read what is published.
    "create_topic": allow("trainer", scope="none: any topic"),
    "list_topics": allow(*_CONTENT_READERS, scope="none: topics have no draft state"),
    "get_topic": allow(*_CONTENT_READERS, scope="none: topics have no draft state"),
    "update_topic": allow("trainer", scope="none: any topic"),
    "create_course": allow("trainer", scope="none: any topic"),
    "list_courses": allow(*_CONTENT_READERS, scope=_DRAFTS),
    "get_course": allow(*_CONTENT_READERS, scope=_DRAFTS),
    "update_course": allow("trainer", scope="none: any course"),
    "list_modules": allow(*_CONTENT_READERS, scope=_DRAFTS + " (of the course)"),
    "get_module": allow(*_CONTENT_READERS, scope=_DRAFTS + " (of the course)"),
    "create_module": allow("trainer", scope="none: any course"),
    "update_module": allow("trainer", scope="none: any course"),
    "create_lesson": allow("trainer", scope="none: any module"),
    "list_lessons": allow(*_CONTENT_READERS, scope=_DRAFTS + ", of a published course"),
    "get_lesson": allow(*_CONTENT_READERS, scope=_DRAFTS + ", of a published course"),
    "update_lesson": allow("trainer", scope="none: any lesson"),
    "search_content": allow(
        *_CONTENT_READERS, scope="published content only (the index holds nothing else)"
    ),
    # The calendar: public; trainers schedule and see sessions of draft courses too.
    "create_session": allow("trainer", scope="none: any course"),
    "list_sessions": public("sessions of published courses (a trainer's token: every one)"),
    "get_session": public("sessions of published courses (a trainer's token: every one)"),
    "update_session": allow("trainer", scope="none: any session"),
    # Registrations: staff for themselves; trainers see everyone's and record attendance.
    "register": allow("staff", scope="staff: registers the token's subject, never another"),
    "list_session_registrations": allow(
        "trainer", "staff", scope="staff: their own registration only; trainer: everyone's"
    ),
    "list_registrations": allow(
        "trainer", "staff", scope="staff: their own only (another person's is 403); trainer: all"
    ),
    "get_registration": allow("trainer", "staff", scope="staff: their own only (another's is 404)"),
    "cancel_registration": allow(
        "trainer", "staff", scope="staff: their own only (another's is 404)"
    ),
    "record_attendance": allow("trainer", scope="none: any confirmed registration"),
    # iCalendar feeds: the public calendar for anyone; a private feed opened by its token.
    "public_calendar": public("sessions of published courses"),
    "private_calendar": public("the token in the address opens one person's feed (else 404)"),
    "create_feed": allow("staff", scope="staff: a feed of the token's subject's registrations"),
    "list_feeds": allow("staff", scope="staff: their own feeds only"),
    "revoke_feed": allow("staff", scope="staff: their own only (another's is 404)"),
    # Recordings: trainers attach them and their subtitles; staff watch those of published courses.
    "add_recording": allow("trainer", scope="none: any session"),
    "list_recordings": allow(*_CONTENT_READERS, scope=_DRAFTS + " (of the course)"),
    "get_recording": allow(*_CONTENT_READERS, scope=_DRAFTS + " (of the course)"),
    "update_recording": allow("trainer", scope="none: any recording"),
    "put_subtitles": allow("trainer", scope="none: any recording"),
    "get_subtitles": allow(*_CONTENT_READERS, scope=_DRAFTS + " (of the course)"),
    # Feedback: attendees rate once; trainers and analysts see aggregates, never who said what.
    "give_feedback": allow("staff", scope="staff: sessions they are recorded as attending"),
    "feedback_aggregates": allow("trainer", "analyst", scope="none: aggregates only"),
    # Onboarding paths and progress; print versions of courses and paths.
    "create_path": allow("trainer", scope="none: any courses and sessions"),
    "list_paths": allow(*_CONTENT_READERS, scope="staff: published paths only"),
    "get_path": allow(*_CONTENT_READERS, scope="staff: published paths only (a draft is 404)"),
    "update_path": allow("trainer", scope="none: any path"),
    "path_progress": allow(*_CONTENT_READERS, scope="the caller's own progress only"),
    "complete_lesson": allow("staff", scope="staff: for themselves, lessons they may read"),
    "print_path": allow(*_CONTENT_READERS, scope="staff: published paths and courses only"),
    "print_course": allow(*_CONTENT_READERS, scope=_DRAFTS),
}
