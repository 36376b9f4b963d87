"""Who may call each operation of the training service, and how the caller's scope narrows it."""

from chassis.caller import CALLER_RULE
from chassis.policy import Policy, allow

_CONTENT_READERS = ("trainer", "staff")
_DRAFTS = "staff: published content only (a draft is 404); trainer: drafts too"

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "list_audit_entries": allow("operator", "trainer", scope="none: the whole trail"),
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
}
