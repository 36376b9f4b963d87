"""Settings of the gateway, read from GATEWAY_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import DEFAULT_AUDIENCE, DEFAULT_ISSUER, ServiceSettings
from gateway.breaker import DEFAULT_COOL_DOWN_SECONDS, DEFAULT_FAILURE_THRESHOLD

# The route prefixes at the gateway; each has its service's base URL in `<prefix>_url`.
UPSTREAMS = ("catalogue", "training", "helpdesk", "kpi")


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_")

    service_name: str = "gateway"
    port: int = 8000

    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    # Empty means <data_dir>/gateway-signing-key.pem, generated on first use when missing.
    signing_key_file: Path | None = None

    catalogue_url: str = "http://127.0.0.1:8001"
    training_url: str = "http://127.0.0.1:8002"
    helpdesk_url: str = "http://127.0.0.1:8003"
    kpi_url: str = "http://127.0.0.1:8004"

    # A refused connection fails at once; this bounds waiting for a pool slot and the handshake.
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    # Longest silence between two reads of an upstream's answer.
    upstream_read_timeout_seconds: float = Field(default=30.0, gt=0)
    upstream_total_timeout_seconds: float = Field(default=60.0, gt=0)
    # Connections kept per upstream: one slow service cannot take the others' connections.
    upstream_pool_size: int = Field(default=100, ge=1)
    # Failed exchanges in a row (refused, reset, timed out, malformed) that open a service's
    # breaker; while open, its routes answer 503 at once for the cool-down, then one request
    # probes it (docs/decisions/0008-gateway-faults.md).
    upstream_breaker_failures: int = Field(default=DEFAULT_FAILURE_THRESHOLD, ge=1)
    upstream_breaker_cool_down_seconds: float = Field(default=DEFAULT_COOL_DOWN_SECONDS, gt=0)
    health_timeout_seconds: float = Field(default=2.0, gt=0)
    contract_cache_seconds: float = Field(default=30.0, ge=0)

    def resolved_signing_key_file(self) -> Path:
        return self.signing_key_file or self.data_dir / "gateway-signing-key.pem"

    def upstream_urls(self) -> dict[str, str]:
        """Each route prefix with its service's base URL (no trailing slash)."""
        return {name: str(getattr(self, f"{name}_url")).rstrip("/") for name in UPSTREAMS}
