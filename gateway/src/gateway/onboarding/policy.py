"""Who may call the gateway's own /gateway/v1 operations."""

from chassis.policy import Policy, allow

POLICY: Policy = {
    "create_client": allow(
        "programme_admin",
        scope="none: any vendor, library or county; not a programme_admin or operator client",
    ),
    "list_clients": allow("programme_admin", scope="none: every client, never a secret"),
    "get_client": allow("programme_admin", scope="none: any client, never its secret"),
    "rotate_client_secret": allow(
        "programme_admin",
        scope="none: any client but programme_admin and operator ones (the command line's)",
    ),
    "revoke_client": allow(
        "programme_admin",
        scope="none: any client but programme_admin and operator ones (the command line's)",
    ),
    "list_audit_entries": allow("programme_admin", scope="none: the gateway's whole trail"),
}
