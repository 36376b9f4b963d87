"""Settings of the kpi service, read from KPI_* environment variables."""

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class HarvestSettings(BaseModel):
    """Where the catalogue's events feed is, and how to get a token for it."""

    # The catalogue's API (its feed at <url>/v1/events); none: nothing is harvested.
    catalogue_url: str | None = None
    # Client credentials at the gateway's token endpoint (none: no Authorization header).
    token_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    # Or a bearer token of its own (an operator's or analyst's), sent as it is.
    token: SecretStr | None = None
    page_size: int = Field(default=500, ge=1, le=1000)


class KpiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KPI_")

    service_name: str = "kpi"
    port: int = 8004
    # CSV imports of figures: 100,000 rows are about 4 MB; the kit's default is 1 MiB.
    max_body_bytes: int = Field(default=32 * 1_048_576, ge=1)
    harvest: HarvestSettings = Field(default_factory=HarvestSettings)
