"""Who may call each operation of the catalogue service, and how the caller's scope narrows it."""

from chassis.caller import CALLER_RULE
from chassis.policy import Policy, allow

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "read_caller": CALLER_RULE,
}
