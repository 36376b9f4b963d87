"""Settings of the kpi service, read from KPI_* environment variables."""

from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class KpiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KPI_")

    service_name: str = "kpi"
    port: int = 8004
