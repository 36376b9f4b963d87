"""What `make bench` measures, as tables: the configurations, the endpoints and the loads.

The service behind every configuration is the catalogue (catalogue-licensing, with its demo
data): the platform's most-called read lives there, and one service gives every scenario the same
direct baseline. A new endpoint is one more `Scenario` row; a new way to serve or proxy is one
more `Config` row naming a process the runner starts. A scenario whose service must run with
other settings (the catalogue with its cache off) names a `stack`: the same configurations, served
by a second set of processes (`svc_cold`, `nginx_cold`, `gw_cold`), so its ratios to D still
compare like with like. The data portal's pages are kpi's, not the catalogue's: their stack,
"portal", is the kpi service (`svc_portal`, with its demo data) and a gateway in front of it
(`gw_portal`), which serves them at the same paths as kpi does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

# Roles: "core" configurations get the whole sweep and the fixed-rate runs; "variant" ones (the
# hot-path comparison) a shorter sweep on the scenarios that name them.
CORE = "core"
VARIANT = "variant"


@dataclass(frozen=True)
class Config:
    name: str
    process: str  # the process of the fleet that the client talks to
    prefix: str  # put before the scenario's path (the gateway's route prefix)
    role: str
    description: str
    # Answers on its own instead of proxying: the scenario's path is replaced by this one.
    own_path: str | None = None


CONFIGS: tuple[Config, ...] = (
    Config("D", "svc", "", CORE, "client -> service (uvicorn, uvloop, httptools)"),
    Config("N", "nginx", "", CORE, "client -> nginx (1 worker, upstream keep-alive) -> service"),
    Config(
        "G", "gw", "/catalogue", CORE, "client -> gateway (uvicorn, production settings) -> service"
    ),
    Config("G0", "gw", "", CORE, "gateway answering itself (GET /health/live)", "/health/live"),
    Config("D-granian", "svc_granian", "", VARIANT, "client -> service served by granian"),
    Config(
        "G-granian", "gw_granian", "/catalogue", VARIANT, "gateway served by granian -> service"
    ),
    Config(
        "G0-granian",
        "gw_granian",
        "",
        VARIANT,
        "gateway served by granian answering itself",
        "/health/live",
    ),
    Config("P-aiohttp", "proxy_aiohttp", "", VARIANT, "minimal proxy, aiohttp client"),
    Config("P-httpx", "proxy_httpx", "", VARIANT, "minimal proxy, stock httpx.AsyncClient"),
    Config("P-httpcore", "proxy_httpcore", "", VARIANT, "minimal proxy, httpcore pool directly"),
)
CONFIG_BY_NAME = {c.name: c for c in CONFIGS}
BASELINE = "D"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    description: str
    # Headers by name; "{token}" and "{etag}" are filled in at the start of the run.
    headers: dict[str, str] = field(default_factory=dict)
    expect_status: int = 200
    configs: tuple[str, ...] = ("D", "N", "G")
    variant_configs: tuple[str, ...] = ()
    fixed_rate: bool = False  # the open-loop runs at fractions of D's capacity
    # Closed-loop connection counts when not the whole sweep of `Loads.connections`.
    sweep: tuple[int, ...] | None = None
    # The request whose answer's ETag fills "{etag}" (for conditional scenarios); it is sent
    # with the scenario's own headers, less If-None-Match.
    etag_from: str | None = None
    # Which set of processes serves it: "" the standard one, else the processes named
    # `<process>_<stack>` (see `process_for`), started with `STACKS[stack]`'s service settings.
    stack: str = ""
    # A wrk Lua script (in this package's folder) that makes the requests itself; wrk then runs one
    # thread per connection, so each connection has its own script state (see if_match_write.lua).
    script: str | None = None
    # False: the path is the gateway's own too, so no route prefix is put before it (the data
    # portal's pages are at /portal/... on the gateway as on kpi, decision 0056).
    prefixed: bool = True


# The service settings of each extra stack, as environment variables of the catalogue service.
# "cold": no cached answers (CATALOGUE_CACHE_ENTRIES=0, decision 0012), so every catalogue read
# is computed from the database: what a first visitor after a change costs.
# "pg": the catalogue on PostgreSQL (a database the run creates and drops, see postgres.py); its
# URL is added at start. Only D runs on it: the proxies' cost does not depend on the database.
# "portal": not the catalogue but the kpi service with its demo data (the published public
# datasets the portal shows), at its default settings, and a gateway of its own in front of it.
STACKS: dict[str, dict[str, str]] = {
    "cold": {"CATALOGUE_CACHE_ENTRIES": "0"},
    "pg": {},
    "portal": {},
}
PG = "pg"
PORTAL = "portal"

# The library whose catalogue is read, and the other demo library that has one: the writes never
# touch either, so the catalogue's bytes and so its ETag stay those fetched at the start.
CATALOGUE_LIBRARY = "NO-2030000"
CATALOGUE_LIBRARIES = frozenset({CATALOGUE_LIBRARY, "NO-2120100"})
CATALOGUE_PATH = f"/v1/libraries/{CATALOGUE_LIBRARY}/catalogue"
WIDGET_PATH = "/v1/catalogue/widget.js"
# The data portal's page of that library (kpi's demo publishes its figures) and its home.
PORTAL_PAGE_PATH = f"/portal/NO/library/{CATALOGUE_LIBRARY}"
PORTAL_HOME_PATH = "/portal/"
# What a browser offers (Chromium's Accept-Encoding): pages and scripts come back gzipped.
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


def process_for(config: Config, scenario: Scenario) -> str:
    """The process a configuration talks to for a scenario: its own, or its copy in the
    scenario's stack."""
    return f"{config.process}_{scenario.stack}" if scenario.stack else config.process


def path_for(config: Config, scenario: Scenario) -> str:
    """The path a configuration is asked for a scenario: its own, or the scenario's behind the
    configuration's route prefix (none for a path that is the gateway's own too)."""
    if config.own_path is not None:
        return config.own_path
    return (config.prefix if scenario.prefixed else "") + scenario.path


def warmup_scenarios(scenarios: Iterable[Scenario]) -> list[Scenario]:
    """One scenario per stack among these, to warm a configuration's processes before timing:
    the first read of each stack, a write only where a stack has nothing else (a warm-up
    should not change data that it need not change)."""
    chosen: dict[str, Scenario] = {}
    for scenario in scenarios:
        have = chosen.get(scenario.stack)
        if have is None or (have.script is not None and scenario.script is None):
            chosen[scenario.stack] = scenario
    return list(chosen.values())


def service_for(scenario: Scenario) -> str:
    """The service process behind a scenario, whose CPU per request is recorded."""
    return f"svc_{scenario.stack}" if scenario.stack else "svc"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "small-read",
        "/v1/me",
        "small authenticated JSON read, no database (GET /v1/me)",
        headers={"Authorization": "Bearer {token}"},
        configs=("D", "N", "G", "G0"),
        variant_configs=(
            "D-granian",
            "G-granian",
            "G0-granian",
            "P-aiohttp",
            "P-httpx",
            "P-httpcore",
        ),
        fixed_rate=True,
    ),
    # Small pages of database-backed lists, as a partner's client pages through them: one
    # through the ORM with a related collection (counties with their populations), one through
    # SQLAlchemy Core (the kit's events feed). Decision 0015's goal: >= 0.5 of the small read.
    Scenario(
        "counties-page",
        "/v1/counties?limit=5",
        "a page of 5 counties with their populations (ORM, two queries; GET /v1/counties?limit=5)",
        headers={"Authorization": "Bearer {token}"},
        sweep=(1, 16),
    ),
    Scenario(
        "events-page",
        "/v1/events?limit=5",
        "a page of 5 events of the feed (Core, one query; GET /v1/events?limit=5)",
        headers={"Authorization": "Bearer {token}"},
        sweep=(1, 16),
    ),
    Scenario(
        "list-read",
        "/v1/events?limit=1",
        "database-backed list read (GET /v1/events?limit=1, SQLite)",
        headers={"Authorization": "Bearer {token}"},
        sweep=(16, 64),
    ),
    Scenario(
        "conditional-304",
        "/v1/events?limit=1",
        "conditional GET answered 304 (If-None-Match of the same page)",
        headers={"Authorization": "Bearer {token}", "If-None-Match": "{etag}"},
        expect_status=304,
        etag_from="/v1/events?limit=1",
        sweep=(16, 64),
    ),
    # Anonymous, as a library website asks; Bokmål, the language most of them ask for.
    Scenario(
        "catalogue-warm",
        CATALOGUE_PATH,
        "a library's catalogue, anonymous, answered from the in-process cache",
        headers={"Accept-Language": "nb"},
        sweep=(16, 64),
    ),
    Scenario(
        "catalogue-304",
        CATALOGUE_PATH,
        "a library's catalogue revalidated: If-None-Match of the current answer, 304",
        headers={"Accept-Language": "nb", "If-None-Match": "{etag}"},
        expect_status=304,
        etag_from=CATALOGUE_PATH,
        sweep=(16, 64),
    ),
    Scenario(
        "catalogue-cold",
        CATALOGUE_PATH,
        "a library's catalogue computed on every request (service with its cache off)",
        headers={"Accept-Language": "nb"},
        sweep=(16, 64),
        stack="cold",
    ),
    # The catalogue widget's script, as a library website's visitors fetch it: anonymous, held
    # by the browser for an hour, then revalidated (catalogue_licensing/widget/routes.py).
    Scenario(
        "widget-script",
        WIDGET_PATH,
        "the catalogue widget's script, anonymous, gzipped (GET /v1/catalogue/widget.js)",
        headers={"Accept-Encoding": BROWSER_ENCODINGS},
        sweep=(16,),
    ),
    Scenario(
        "widget-304",
        WIDGET_PATH,
        "the widget's script revalidated: If-None-Match of the current answer, 304",
        headers={"If-None-Match": "{etag}"},
        expect_status=304,
        etag_from=WIDGET_PATH,
        sweep=(16,),
    ),
    # The data portal's pages (kpi.portal), as a reader's browser asks for them: anonymous, in
    # Bokmål, warm (rendered once per generation of kpi's data and kept in-process; the check
    # before timing has asked for each once). Direct and through the gateway, at the same path.
    Scenario(
        "portal-page",
        PORTAL_PAGE_PATH,
        f"the data portal's page of a library, warm, gzipped (GET {PORTAL_PAGE_PATH})",
        headers={"Accept-Language": "nb", "Accept-Encoding": BROWSER_ENCODINGS},
        configs=("D", "G"),
        sweep=(1, 16),
        stack=PORTAL,
        prefixed=False,
    ),
    Scenario(
        "portal-304",
        PORTAL_PAGE_PATH,
        "the library's portal page revalidated: If-None-Match of the current answer, 304",
        headers={"Accept-Language": "nb", "If-None-Match": "{etag}"},
        expect_status=304,
        etag_from=PORTAL_PAGE_PATH,
        configs=("D", "G"),
        sweep=(16,),
        stack=PORTAL,
        prefixed=False,
    ),
    Scenario(
        "portal-home",
        PORTAL_HOME_PATH,
        f"the data portal's home, warm, gzipped (GET {PORTAL_HOME_PATH})",
        headers={"Accept-Language": "nb", "Accept-Encoding": BROWSER_ENCODINGS},
        configs=("D", "G"),
        sweep=(1, 16),
        stack=PORTAL,
        prefixed=False,
    ),
    # Each connection renames its own library (never a catalogue's) with the ETag its previous
    # answer carried; a 412 would mean the chain broke. SQLite takes one writer at a time, so
    # 16 connections measure queueing behind it as much as the write itself.
    Scenario(
        "write-if-match",
        "/v1/libraries/",
        "PATCH a library's name with If-Match of its current ETag (programme admin)",
        headers={"Authorization": "Bearer {admin_token}"},
        sweep=(1, 16),
        script="if_match_write.lua",
    ),
)
# The same reads and the write on PostgreSQL, direct only (see STACKS). The small read comes
# along so that each ratio is taken within the same process and round.
PG_SCENARIOS: tuple[Scenario, ...] = tuple(
    replace(s, name=f"{s.name}-pg", stack=PG, configs=("D",), variant_configs=(), fixed_rate=False)
    for s in SCENARIOS
    if s.name in ("small-read", "counties-page", "events-page", "write-if-match")
)
SCENARIOS = SCENARIOS + tuple(
    replace(s, sweep=(1, 16)) if s.name == "small-read-pg" else s for s in PG_SCENARIOS
)
SCENARIO_BY_NAME = {s.name: s for s in SCENARIOS}


@dataclass(frozen=True)
class Loads:
    """How long and how hard; one instance for the full run, one for the quick smoke run."""

    rounds: int
    seconds: int  # each closed-loop and fixed-rate run (wrk takes whole seconds)
    warmup_seconds: int  # each configuration, once per round, before it is measured
    connections: tuple[int, ...]  # closed-loop sweep of core configurations
    variant_connections: tuple[int, ...]
    fractions: tuple[float, ...]  # fixed rates, as fractions of D's capacity in the round
    open_loop_connections: int  # pool of the open-loop generator
    # When set, closed-loop runs keep only these connection counts (where a scenario has any of
    # them): the smoke run measures the goals' 16 connections and the single one, not 64.
    only_connections: tuple[int, ...] | None = None


def sweep_for(scenario: Scenario, loads: Loads) -> tuple[int, ...]:
    """The closed-loop connection counts of a scenario's core configurations under these loads."""
    sweep = scenario.sweep or loads.connections
    if loads.only_connections is None:
        return sweep
    kept = tuple(c for c in sweep if c in loads.only_connections)
    return kept or sweep


FULL = Loads(
    rounds=3,
    seconds=5,
    warmup_seconds=1,
    connections=(1, 16, 64),
    variant_connections=(16, 64),
    fractions=(0.5, 0.8),
    open_loop_connections=64,
)
QUICK = Loads(
    rounds=1,
    seconds=2,
    warmup_seconds=1,
    connections=(1, 16, 64),
    variant_connections=(16,),
    fractions=(0.5, 0.8),
    open_loop_connections=64,
    only_connections=(1, 16),
)
