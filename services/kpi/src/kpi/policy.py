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
    # Organisations: the hierarchy is public; analysts keep it.
    "create_organisation": allow("analyst", scope="none: any organisation"),
    "list_organisations": public(),
    "get_organisation": public(),
    "update_organisation": allow("analyst", scope="none: any organisation"),
    "set_population": allow("analyst", scope="none: any organisation"),
    # Observations: entered and read within the caller's organisations.
    "create_observation": allow(
        "analyst",
        "county_admin",
        "staff",
        scope=(
            "county admin: organisations in the token's county; staff: the token's library "
            "(another's is 403)"
        ),
    ),
    "list_observations": allow(
        "analyst",
        "county_admin",
        "staff",
        scope="county admin: the token's county's organisations; staff: the token's library",
    ),
    "get_observation": allow(
        "analyst", "county_admin", "staff", scope="as list_observations (another's is 404)"
    ),
    "correct_observation": allow(
        "analyst", "county_admin", "staff", scope="as list_observations (another's is 404)"
    ),
    "list_revisions": allow(
        "analyst", "county_admin", "staff", scope="as list_observations (another's is 404)"
    ),
    # Imports: as entering each figure; an import is read back by who sent it (and analysts).
    "import_observations": allow(
        "analyst",
        "county_admin",
        "staff",
        scope="each row as create_observation (a row outside the scope is a row error)",
    ),
    "get_import": allow(
        "analyst", "county_admin", "staff", scope="analyst: any; others: their own (else 404)"
    ),
    "list_harvests": allow("analyst", "operator", scope="none: every feed"),
    # Usage of digital products: analysts upload and read COUNTER reports.
    "upload_usage_report": allow("analyst", scope="none: any product and organisation"),
    "get_usage_report": allow("analyst", scope="none: every report"),
    "save_sushi_endpoint": allow("analyst", scope="none: any product"),
    "list_sushi_endpoints": allow("analyst", "operator", scope="none: every endpoint"),
    "get_sushi_endpoint": allow("analyst", "operator", scope="none: every endpoint"),
    "list_sushi_harvests": allow("analyst", "operator", scope="none: every endpoint"),
    "get_cost_per_use": allow(
        "analyst", "county_admin", scope="county admin: the token's county's row only"
    ),
    "get_rollup": allow(
        "analyst",
        "county_admin",
        "staff",
        scope="the organisation asked for must be in the caller's scope (else 403)",
    ),
    "get_series": allow(
        "analyst",
        "county_admin",
        "staff",
        scope="each organisation asked for must be in the caller's scope (else 403)",
    ),
    "get_year_on_year": allow(
        "analyst",
        "county_admin",
        "staff",
        scope="the organisation asked for must be in the caller's scope (else 403)",
    ),
    # Peers: a median of others' figures, asked for an organisation in the caller's scope.
    "get_peer_comparison": allow(
        "analyst",
        "county_admin",
        "staff",
        scope="the organisation asked for must be in the caller's scope (else 403)",
    ),
    # Rankings list every organisation's figure: analysts anywhere, county admins in their county.
    "list_rankings": allow(
        "analyst",
        "county_admin",
        scope="county admin: `within` the token's county or a part of it (else 403)",
    ),
    # Datasets: analysts compose and publish them; each audience reads the published ones.
    "create_dataset": allow("analyst", scope="none: any indicators and organisations"),
    "publish_dataset": allow("analyst", scope="none: any dataset"),
    "withdraw_dataset": allow("analyst", scope="none: any dataset"),
    **{
        operation: public(
            "analyst: every dataset, drafts too; county admin, staff: published public, partners "
            "and internal ones; partner: published public and partners ones; anonymous and other "
            "roles: published public ones (another's is 404). Public ones hide small numbers."
        )
        for operation in (
            "list_datasets",
            "get_dataset",
            "get_dataset_data",
            "get_dataset_csv",
            "get_dataset_csv_metadata",
            "get_dataset_chart",
        )
    },
    # Exports and charts of a series: as the series itself.
    **{
        operation: allow(
            "analyst",
            "county_admin",
            "staff",
            scope="each organisation asked for must be in the caller's scope (else 403)",
        )
        for operation in ("get_series_csv", "get_series_csv_metadata", "get_series_chart")
    },
    # The data portal's pages: anyone, and only published public datasets' figures in them.
    **{
        operation: public("anyone: the portal shows only published public datasets' figures")
        for operation in ("portal_root", "home", "country_page", "place_page", "static_asset")
    },
}
