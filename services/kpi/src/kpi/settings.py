"""Settings of the kpi service, read from KPI_* environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class KpiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KPI_")

    service_name: str = "kpi"
    port: int = 8004
    # CSV imports of figures: 100,000 rows are about 4 MB; the kit's default is 1 MiB.
    max_body_bytes: int = Field(default=32 * 1_048_576, ge=1)
