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
    # Vendors: the programme registers them; a vendor reads and keeps its own contacts.
    "create_vendor": allow("programme_admin", scope="none: any vendor"),
    "list_vendors": allow("programme_admin", scope="none: every vendor"),
    "get_vendor": allow(
        "programme_admin", "vendor", scope="vendor: its own only (another vendor is 404)"
    ),
    "update_vendor": allow(
        "programme_admin",
        "vendor",
        scope="vendor: its own contacts only (another vendor is 404, other fields 403)",
    ),
    # Products, as their managers see them (the public listing is the catalogue's).
    "create_product": allow(
        "programme_admin", "vendor", scope="vendor: for its own vendor only (the token's)"
    ),
    "list_products": allow(
        "programme_admin", "vendor", scope="vendor: its own products only, in every status"
    ),
    "get_product": allow(
        "programme_admin", "vendor", scope="vendor: its own only (another's is 404)"
    ),
    "update_product": allow(
        "programme_admin", "vendor", scope="vendor: its own only (another's is 404)"
    ),
    "activate_product": allow(
        "programme_admin", "vendor", scope="vendor: its own only (another's is 404)"
    ),
    "retire_product": allow(
        "programme_admin", "vendor", scope="vendor: its own only (another's is 404)"
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
    "get_participation": allow(
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
        scope="county admin: every row of an agreement the token's county takes part in, none "
        "of another; programme admin: every row",
    ),
    # The public catalogue.
    "read_library_catalogue": public(),
    "list_catalogue_products": public(),
    # Audit trail.
    "list_audit_entries": allow("programme_admin", scope="none: the whole trail"),
}
