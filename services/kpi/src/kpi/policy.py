"""Who may call each operation of the kpi service, and how the caller's scope narrows it."""

from chassis.caller import CALLER_RULE
from chassis.policy import Policy, allow, public

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "read_caller": CALLER_RULE,
    "list_audit_entries": allow("analyst", "operator", scope="none: the whole trail"),
    # Indicators: definitions are public; analysts define them.
    "create_indicator": allow("analyst", scope="none: any indicator"),
    "list_indicators": public(),
    "get_indicator": public(),
    "update_indicator": allow("analyst", scope="none: any indicator"),
}
