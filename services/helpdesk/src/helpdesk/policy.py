"""Who may call each operation of the helpdesk service, and how the caller's scope narrows it."""

from chassis.caller import CALLER_RULE
from chassis.policy import Policy, allow, public

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "read_caller": CALLER_RULE,
    "list_audit_entries": allow("agent", scope="none: the whole trail of the desk"),
    # The published promises: anyone.
    "read_service_catalogue": public(),
    "read_due_times": public(),
    # The catalogue behind them, kept by the desk's agents.
    "create_calendar": allow("agent", scope="none: any calendar"),
    "list_calendars": allow("agent", "analyst", scope="none: every calendar"),
    "get_calendar": allow("agent", "analyst", scope="none: any calendar"),
    "update_calendar": allow("agent", scope="none: any calendar"),
    "create_service": allow("agent", scope="none: any service"),
    "list_services": allow("agent", "analyst", "staff", scope="none: every service"),
    "get_service": allow("agent", "analyst", "staff", scope="none: any service"),
    "update_service": allow("agent", scope="none: any service"),
    # Tickets: agents all; staff their own library's (another library's is 404).
    "create_ticket": allow(
        "agent", "staff", scope="staff: for the token's library only; agent: names the library"
    ),
    "list_tickets": allow("agent", "staff", scope="staff: the token's library's tickets only"),
    "get_ticket": allow("agent", "staff", scope="staff: the token's library's only (else 404)"),
    "update_ticket": allow("agent", scope="none: any ticket"),
    "move_ticket": allow(
        "agent", "staff", scope="staff: own library's, the requester's moves of the table only"
    ),
    "merge_ticket": allow("agent", scope="none: two tickets of one library"),
    "add_comment": allow(
        "agent", "staff", scope="staff: own library's tickets, public replies only"
    ),
    "list_comments": allow(
        "agent", "staff", scope="staff: own library's tickets; internal notes never"
    ),
    "explain_sla": allow(
        "agent", "staff", scope="staff: the token's library's tickets only (else 404)"
    ),
    # The phone log: agents.
    "log_call": allow("agent", scope="none: any library's call"),
    "list_calls": allow("agent", scope="none: every call"),
    "get_call": allow("agent", scope="none: any call"),
    # Satisfaction.
    "rate_ticket": allow(
        "staff", scope="staff: the requester of one of the token's library's tickets, once"
    ),
    "list_ratings": allow("agent", "analyst", scope="none: every rating"),
    # Figures.
    "report_volumes": allow("analyst", "agent", scope="none: every library's figures"),
    "report_performance": allow("analyst", "agent", scope="none: every library's figures"),
    "report_backlog": allow("analyst", "agent", scope="none: every library's figures"),
    # Knowledge base: agents write; anyone reads and searches published public articles.
    "create_article": allow("agent", scope="none: any article"),
    "list_articles": public("anonymous and staff: published public articles; agents: all"),
    "get_article": public("anonymous and staff: published public articles (else 404)"),
    "update_article": allow("agent", scope="none: any article"),
    "vote_article": allow("staff", "agent", scope="staff: published public articles"),
    "link_article": allow("agent", scope="none: any ticket and article"),
    "list_ticket_articles": allow(
        "agent", "staff", scope="staff: own library's tickets, public articles only"
    ),
    "search_articles": public(
        "anonymous and staff: published public articles; agents: internal too"
    ),
    "suggest_articles": allow(
        "staff", "agent", scope="staff: published public articles only; agents: internal too"
    ),
    "add_attachment": allow(
        "agent", "staff", scope="staff: own library's tickets, public attachments only"
    ),
    "list_attachments": allow(
        "agent", "staff", scope="staff: own library's tickets; internal attachments never"
    ),
    "download_attachment": allow(
        "agent", "staff", scope="staff: own library's tickets; an internal one is 404"
    ),
}
