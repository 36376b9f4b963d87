"""Who may call each operation of the helpdesk service, and how the caller's scope narrows it."""

from chassis.policy import Policy, allow

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
}
