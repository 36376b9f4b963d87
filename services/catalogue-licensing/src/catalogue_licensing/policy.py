"""Who may call each operation of the catalogue service, and how the caller's scope narrows it."""

from chassis.caller import CALLER_RULE
from chassis.policy import Policy, allow, public

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "read_caller": CALLER_RULE,
    # Directory: public reads; libraries by county; populations by the programme.
    "list_counties": public(),
    "get_county": public(),
    "set_county_population": allow("programme_admin", scope="none: any county"),
    "list_municipalities": public(),
    "get_municipality": public(),
    "set_municipality_population": allow("programme_admin", scope="none: any municipality"),
    "list_libraries": public(),
    "get_library": public(),
    "create_library": allow(
        "programme_admin",
        "county_admin",
        scope="county admin: only in a municipality of the token's county (else 403)",
    ),
    "update_library": allow(
        "programme_admin",
        "county_admin",
        scope="county admin: only the token's county's libraries (another's is 404)",
    ),
    # Agreements, participation, cost shares.
    "create_agreement": allow("programme_admin", scope="none: any product"),
    "list_agreements": allow(
        "programme_admin", "county_admin", "partner", scope="none: agreements are not secret"
    ),
    "get_agreement": allow(
        "programme_admin", "county_admin", "partner", scope="none: agreements are not secret"
    ),
    "update_agreement": allow("programme_admin", scope="none: any agreement"),
    "list_participations": allow(
        "programme_admin", "county_admin", "partner", scope="none: which counties take part"
    ),
    "put_participation": allow(
        "programme_admin",
        "county_admin",
        scope="county admin: only the token's county (another county is 403)",
    ),
    "withdraw_participation": allow(
        "programme_admin",
        "county_admin",
        scope="county admin: only the token's county (another county is 403)",
    ),
    "list_cost_shares": allow(
        "programme_admin",
        "county_admin",
        scope="county admin: only the token's county's row; programme admin: every row",
    ),
    # The public catalogue.
    "read_library_catalogue": public(),
    "list_catalogue_products": public(),
    # Audit trail.
    "list_audit_entries": allow("programme_admin", scope="none: the whole trail"),
}
