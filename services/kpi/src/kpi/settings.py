"""Settings of the kpi service, read from KPI_* environment variables."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class KpiSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KPI_")

    service_name: str = "kpi"
    port: int = 8004
