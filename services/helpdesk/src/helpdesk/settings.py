"""Settings of the helpdesk service, read from HELPDESK_* environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class HelpdeskSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HELPDESK_")

    service_name: str = "helpdesk"
    port: int = 8003
    # A resolved ticket may be reopened this long; after it, the ticket closes by itself.
    reopen_window_days: int = Field(default=7, ge=0, le=90)
    # An attachment's largest size; the request body limit leaves room for it.
    attachment_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, le=50 * 1024 * 1024)
    max_body_bytes: int = 3 * 1024 * 1024
