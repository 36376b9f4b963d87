"""Settings of the gateway, read from GATEWAY_* environment variables."""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from chassis.settings import DEFAULT_AUDIENCE, DEFAULT_ISSUER, ServiceSettings
from gateway.breaker import DEFAULT_COOL_DOWN_SECONDS, DEFAULT_FAILURE_THRESHOLD

# The route prefixes at the gateway; each has its service's base URL in `<prefix>_url`.
UPSTREAMS = ("catalogue", "training", "helpdesk", "kpi")
_ORIGIN = re.compile(
    r"^https?://[a-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9a-f:.]+\](:[0-9]{1,5})?$"
)


def _comma_separated(value: object) -> list[str]:
    """A list setting from the environment: comma-separated, or a JSON list."""
    if isinstance(value, str):
        if not value.lstrip().startswith("["):
            return [item.strip() for item in value.split(",") if item.strip()]
        value = json.loads(value)
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValueError("expected a comma-separated list or a JSON list of strings")
    return list(value)


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_")

    service_name: str = "gateway"
    port: int = 8000

    issuer: str = DEFAULT_ISSUER
    # Where partners reach the platform (scheme://host[:port][/path]): the merged contract's
    # `servers` and its OAuth2 token URL. Default: the embedded run's gateway.
    public_url: str = "http://127.0.0.1:8000"
    audience: str = DEFAULT_AUDIENCE
    token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    # Empty means <data_dir>/gateway-signing-key.pem, generated on first use when missing. It
    # seeds the first signing key in the database (docs/decisions/0010-signing-keys-and-issuers.md).
    signing_key_file: Path | None = None
    # Encrypts the signing keys' private halves in the database; at least 32 random characters,
    # the same on every replica. Empty: derived from the key file above (which every replica
    # then needs, as before).
    key_encryption_key: SecretStr | None = Field(default=None, min_length=32)
    # How often a replica re-reads the signing keys: a rotation reaches it without a restart.
    key_refresh_seconds: float = Field(default=10.0, gt=0, le=300)
    # The key set's Cache-Control max-age; a new key is published at least this long (plus one
    # refresh) before it signs. Keep it >= the services' AUTH__JWKS_CACHE_SECONDS.
    jwks_cache_seconds: int = Field(default=300, ge=0, le=86_400)

    catalogue_url: str = "http://127.0.0.1:8001"
    training_url: str = "http://127.0.0.1:8002"
    helpdesk_url: str = "http://127.0.0.1:8003"
    kpi_url: str = "http://127.0.0.1:8004"

    # A refused connection fails at once; this bounds waiting for a pool slot and the handshake.
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    # Longest silence between two reads of an upstream's answer.
    upstream_read_timeout_seconds: float = Field(default=30.0, gt=0)
    # How long a caller may leave its request body without sending more: then 408, and the
    # service's breaker learns nothing (the caller stalled, not the service).
    client_body_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    upstream_total_timeout_seconds: float = Field(default=60.0, gt=0)
    # Connections kept per upstream: one slow service cannot take the others' connections.
    upstream_pool_size: int = Field(default=100, ge=1)
    # Failed exchanges in a row (refused, reset, timed out, malformed) that open a service's
    # breaker; while open, its routes answer 503 at once for the cool-down, then one request
    # probes it (docs/decisions/0008-gateway-faults.md).
    upstream_breaker_failures: int = Field(default=DEFAULT_FAILURE_THRESHOLD, ge=1)
    upstream_breaker_cool_down_seconds: float = Field(default=DEFAULT_COOL_DOWN_SECONDS, gt=0)
    health_timeout_seconds: float = Field(default=2.0, gt=0)
    # A gateway started on a database not yet migrated waits, unready, and looks again this often.
    schema_wait_seconds: float = Field(default=5.0, gt=0, le=300)
    contract_cache_seconds: float = Field(default=30.0, ge=0)
    # How long the merged contract waits for a service's document. Longer than a health check:
    # a service builds its document on the first request (over a second for the larger ones on
    # a busy machine), and a document missed here is missing from the contract for a while.
    contract_timeout_seconds: float = Field(default=10.0, gt=0)

    # Edge limits (docs/decisions/0009-gateway-limits-and-cors.md). All request headers together
    # (names, values, separators); above it: 431, exactly at the edge, and while reading in the
    # kit's server protocol (chassis.server, decision 0038), which also answers 408 to a head not
    # complete within GATEWAY_HEADER_TIMEOUT_SECONDS (the kit's setting, 10 s).
    max_header_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)
    # Token buckets per caller address and per verified client, both apply; the token endpoint
    # has stricter ones of its own (per address, and per client id tried). These defaults suit
    # the embedded run, where every local caller shares 127.0.0.1; deploy/ sets production's.
    rate_limit_enabled: bool = True
    rate_limit_client_per_second: float = Field(default=100.0, gt=0)
    rate_limit_client_burst: int = Field(default=200, ge=1)
    rate_limit_address_per_second: float = Field(default=200.0, gt=0)
    rate_limit_address_burst: int = Field(default=400, ge=1)
    # The token endpoint's bucket per address: attempts to authenticate a client.
    rate_limit_auth_per_second: float = Field(default=2.0, gt=0)
    rate_limit_auth_burst: int = Field(default=20, ge=1)
    # Client secrets checked at once (each argon2 check holds ~64 MiB and a core for tens of ms),
    # and how many more may wait their turn; beyond that a token request is answered 503 at once.
    secret_checks_at_once: int = Field(default=2, ge=1, le=64)
    secret_checks_waiting: int = Field(default=32, ge=0, le=10_000)
    # The gateway faces the internet: its /metrics answers a caller on this machine (the
    # loopback), and elsewhere only `Authorization: Bearer <metrics_token>` (Prometheus's scrape
    # config); empty, nobody else.
    metrics_token: SecretStr = SecretStr("")
    # Empty: the buckets live in this process. Set (redis://host:6379/0) when several replicas
    # must share them.
    redis_url: SecretStr = SecretStr("")
    redis_key_prefix: str = "gateway:ratelimit:"
    redis_timeout_seconds: float = Field(default=0.1, gt=0)
    redis_pool_size: int = Field(default=64, ge=1)
    # Load balancers in front of the replicas (addresses or CIDRs, comma-separated): behind them
    # the caller's address is taken from X-Forwarded-For.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Origins (scheme://host[:port], comma-separated) that may call every operation from a
    # browser, with credentials; public reads are open to any origin without them.
    cors_origins: Annotated[list[str], NoDecode] = []
    cors_max_age_seconds: int = Field(default=600, ge=0, le=86_400)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> list[str]:
        values = _comma_separated(value)
        for network in values:
            ipaddress.ip_network(network, strict=False)  # ValueError names the bad one
        return values

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        parsed = urlsplit(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
            raise ValueError(f"{value!r} is not a base URL (scheme://host[:port][/path])")
        return value.rstrip("/")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> list[str]:
        origins = [origin.rstrip("/").lower() for origin in _comma_separated(value)]
        for origin in origins:
            if not _ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin (scheme://host[:port])")
        return origins

    def resolved_signing_key_file(self) -> Path:
        return self.signing_key_file or self.data_dir / "gateway-signing-key.pem"

    def upstream_urls(self) -> dict[str, str]:
        """Each route prefix with its service's base URL (no trailing slash)."""
        return {name: str(getattr(self, f"{name}_url")).rstrip("/") for name in UPSTREAMS}
