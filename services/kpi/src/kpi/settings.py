"""Settings of the kpi service, read from KPI_* environment variables."""

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class HarvestSettings(BaseModel):
    """Where the events feeds are (catalogue, training, helpdesk), and how to get a token."""

    # The catalogue's API (its feed at <url>/v1/events); none: nothing is harvested.
    catalogue_url: str | None = None
    # Training's and helpdesk's APIs, the same way (their feeds turned into figures).
    training_url: str | None = None
    helpdesk_url: str | None = None
    # Client credentials at the gateway's token endpoint (none: no Authorization header).
    token_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    # Or a bearer token of its own (an operator's or analyst's), sent as it is.
    token: SecretStr | None = None
    page_size: int = Field(default=500, ge=1, le=1000)


class SushiSettings(BaseModel):
    """Vendors' SUSHI endpoints: the ports called, the sealing secret, retries."""

    # The ports a SUSHI URL may name (the catalogue's CATALOGUE_SUSHI_PORTS, the same list).
    ports: list[int] = Field(default_factory=lambda: [443])
    # Tests only: plain http to a loopback address (a local server standing in for a vendor).
    allow_loopback_http: bool = False
    # Seals the credentials at rest: at least 32 characters, the same on every replica; or a
    # file (empty: <data_dir>/kpi-sushi-sealing.secret, generated when missing).
    sealing_secret: SecretStr | None = Field(default=None, min_length=32)
    sealing_secret_file: Path | None = None
    # A failed month is tried again after retry_base_seconds, doubled at each attempt, up to
    # max_attempts; then it stays failed (saving the endpoint again retries it).
    retry_base_seconds: int = Field(default=900, ge=1)
    max_attempts: int = Field(default=6, ge=1, le=20)


class KpiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KPI_")

    service_name: str = "kpi"
    port: int = 8004
    # CSV imports of figures: 100,000 rows are about 4 MB; the kit's default is 1 MiB.
    max_body_bytes: int = Field(default=32 * 1_048_576, ge=1)
    harvest: HarvestSettings = Field(default_factory=HarvestSettings)
    # The platform's address as readers reach it (the gateway's), for the data portal's embed
    # snippets; none: the address the request came to.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/?#\s]+$")
    # The data portal's in-process cache (kpi.portal): how long a replica may answer from it
    # before it checks whether the figures changed, and how many rendered pages it keeps.
    portal_cache_seconds: float = Field(default=1.0, ge=0.0, le=60.0)
    portal_cache_entries: int = Field(default=2000, ge=0, le=100_000)
    sushi: SushiSettings = Field(default_factory=SushiSettings)

    def resolved_sushi_secret_file(self) -> Path:
        return self.sushi.sealing_secret_file or self.data_dir / "kpi-sushi-sealing.secret"
