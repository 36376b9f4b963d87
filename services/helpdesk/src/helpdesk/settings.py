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
    # An attachment's largest size. It travels base64-encoded (4/3 of its size) in a JSON body,
    # so 700 KiB fits the gateway's and the kit's default body limit of 1 MiB; raise both
    # GATEWAY_MAX_BODY_BYTES and HELPDESK_MAX_BODY_BYTES with it.
    attachment_max_bytes: int = Field(default=700 * 1024, ge=1024, le=50 * 1024 * 1024)
