"""Settings of the catalogue service, read from CATALOGUE_* environment variables."""

from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_")

    service_name: str = "catalogue"
    port: int = 8001
