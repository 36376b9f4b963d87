"""Settings of the catalogue service, read from CATALOGUE_* environment variables."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_")

    service_name: str = "catalogue"
    port: int = 8001
