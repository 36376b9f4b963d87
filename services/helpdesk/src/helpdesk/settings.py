"""Settings of the helpdesk service, read from HELPDESK_* environment variables."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class HelpdeskSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_")

    service_name: str = "helpdesk"
    port: int = 8003
