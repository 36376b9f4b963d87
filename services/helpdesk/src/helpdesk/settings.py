"""Settings of the helpdesk service, read from HELPDESK_* environment variables."""

from chassis.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class HelpdeskSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_")

    service_name: str = "helpdesk"
    port: int = 8003
