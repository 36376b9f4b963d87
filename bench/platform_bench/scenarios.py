"""What `make bench` measures, as tables: the configurations, the endpoints and the loads.

A new endpoint is one more `Scenario` row (the catalogue's cold and warm reads, 200 and 304,
are meant to join this way); a new way to serve or proxy is one more `Config` row naming a
process of `processes.FLEET`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    Config("G", "gw", "/kpi", CORE, "client -> gateway (uvicorn, production settings) -> service"),
    Config("G0", "gw", "", CORE, "gateway answering itself (GET /health/live)", "/health/live"),
    Config("D-granian", "svc_granian", "", VARIANT, "client -> service served by granian"),
    Config("G-granian", "gw_granian", "/kpi", VARIANT, "gateway served by granian -> service"),
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
    # The request whose answer's ETag fills "{etag}" (for conditional scenarios).
    etag_from: str | None = None


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "small-read",
        "/v1/me",
        "small authenticated JSON read, no database (kpi GET /v1/me)",
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
    Scenario(
        "list-read",
        "/v1/events?limit=1",
        "database-backed list read (kpi GET /v1/events?limit=1, SQLite)",
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
)


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
)
