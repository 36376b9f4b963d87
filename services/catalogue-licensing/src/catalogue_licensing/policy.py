"""Who may call each operation of the catalogue service, and how the caller's scope narrows it."""

from chassis.caller import CALLER_RULE
from chassis.policy import Policy, allow, public

POLICY: Policy = {
    "list_events": allow("operator", "analyst", scope="none: the feed is service-wide"),
    "read_caller": CALLER_RULE,
    # Directory: public reads; libraries by county; populations by the programme.
    "list_countries": public(),
    "get_country": public(),
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
    # Procurement rounds: the programme drafts and moves them; once announced, anyone with a
    # role in the cycle reads them.
    "create_procurement_round": allow("programme_admin", scope="none: any round"),
    "list_procurement_rounds": allow(
        "programme_admin",
        "vendor",
        "county_admin",
        "partner",
        scope="programme admin: every round; others: announced ones (a draft is not listed)",
    ),
    "get_procurement_round": allow(
        "programme_admin",
        "vendor",
        "county_admin",
        "partner",
        scope="programme admin: every round; others: announced ones (a draft is 404)",
    ),
    "update_procurement_round": allow("programme_admin", scope="none: any draft round"),
    "move_procurement_round": allow("programme_admin", scope="none: any round"),
    "list_procurement_round_moves": allow(
        "programme_admin",
        "vendor",
        "county_admin",
        "partner",
        scope="as the round itself: a draft's moves are the programme's",
    ),
    "get_questionnaire": allow(
        "programme_admin",
        "vendor",
        "county_admin",
        "partner",
        scope="as the round itself: a draft's questionnaire is the programme's",
    ),
    "put_questionnaire": allow("programme_admin", scope="none: any round until it opens"),
    "put_declaration": allow("vendor", scope="vendor: its own products only (another's is 404)"),
    "get_declaration": allow(
        "programme_admin", "vendor", scope="vendor: its own only (another's is 404)"
    ),
    "list_declarations": allow(
        "programme_admin", "vendor", scope="vendor: its own only; programme admin: every one"
    ),
    "submit_offer": allow("vendor", scope="vendor: for its own products only"),
    "list_offers": allow(
        "programme_admin",
        "county_admin",
        "vendor",
        scope="vendor: its own only; administrators: every offer, its content only after the "
        "offer deadline",
    ),
    "get_offer": allow(
        "programme_admin",
        "county_admin",
        "vendor",
        scope="vendor: its own only (another's is 404); administrators: content after the deadline",
    ),
    "list_offer_versions": allow(
        "programme_admin",
        "county_admin",
        "vendor",
        scope="as the offer itself",
    ),
    "revise_offer": allow("vendor", scope="vendor: its own offers only (another's is 404)"),
    "send_counter_proposal": allow("programme_admin", scope="none: any offer of the round"),
    "answer_counter_proposal": allow(
        "vendor", scope="vendor: its own offers only (another's is 404)"
    ),
    "decide_offer": allow(
        "programme_admin",
        "vendor",
        scope="programme admin: accepted or rejected; vendor: withdrawn, its own offers only",
    ),
    "list_negotiation_steps": allow(
        "programme_admin",
        "county_admin",
        "vendor",
        scope="as the offer itself: a vendor its own only",
    ),
    "award_offer": allow("programme_admin", scope="none: any accepted offer"),
    "get_round_ocds": allow(
        "programme_admin",
        "county_admin",
        "vendor",
        "partner",
        scope="as the round itself (a draft is the programme's); offers appear only after the "
        "deadline, prices only of awards",
    ),
    # The public catalogue.
    "read_library_catalogue": public(),
    "list_catalogue_products": public(),
    "read_catalogue_labels": public(),
    "get_catalogue_widget": public(),
    "read_library_catalogue_page": public(),
    # Audit trail.
    "list_audit_entries": allow("programme_admin", scope="none: the whole trail"),
}
