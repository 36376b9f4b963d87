"""Settings shared by every service: one prefix per service, safe embedded defaults, secrets masked."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_AUDIENCE = "library-platform"
DEFAULT_ISSUER = "http://127.0.0.1:8000"


class AuthSettings(BaseModel):
    """How a service verifies the bearer tokens that the gateway (or a trusted issuer) signed."""

    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    jwks_url: str = f"{DEFAULT_ISSUER}/.well-known/jwks.json"
    # A JWKS document given inline (JSON) instead of fetched: used by tests and air-gapped runs.
    jwks_json: SecretStr | None = None
    algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    leeway_seconds: int = Field(default=30, ge=0, le=300)
    # How long a fetched key set is trusted before it is fetched again.
    jwks_cache_seconds: int = Field(default=300, ge=1)

    @field_validator("algorithms")
    @classmethod
    def _no_symmetric_or_none(cls, value: list[str]) -> list[str]:
        allowed = {"RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"}
        bad = [alg for alg in value if alg not in allowed]
        if bad or not value:
            raise ValueError(f"algorithms must be a non-empty subset of {sorted(allowed)}")
        return value


class ServiceSettings(BaseSettings):
    """Base for every service's settings; a subclass sets the env prefix and its own defaults."""

    model_config = SettingsConfigDict(
        env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    service_name: str = "service"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("var/data")
    # Empty means the embedded default: a SQLite file named after the service in data_dir.
    database_url: SecretStr = SecretStr("")
    database_echo: bool = False
    # SQLite only: how long a writer waits for the write lock before the request answers 503.
    database_busy_timeout_ms: int = Field(default=5000, ge=0, le=60_000)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    def resolved_database_url(self) -> str:
        url = self.database_url.get_secret_value()
        if url:
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"

    def safe_dump(self) -> dict[str, object]:
        """Settings as they may be logged: every secret is masked."""
        return self.model_dump(mode="json")
