"""Settings shared by every service: one prefix per service, safe embedded defaults, secrets masked."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chassis.database_url import async_database_url

DEFAULT_AUDIENCE = "library-platform"
DEFAULT_ISSUER = "http://127.0.0.1:8000"


_ACCEPTED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA"})
# The platform's claims that an external issuer's tokens may carry under other names.
MappedClaim = Literal["roles", "county", "vendor_id", "isil", "client_id"]


def _asymmetric_only(value: list[str]) -> list[str]:
    # HS* would let anyone holding the (public) key set forge tokens; "none" needs no key at all.
    bad = [alg for alg in value if alg not in _ACCEPTED_ALGORITHMS]
    if bad or not value:
        raise ValueError(f"algorithms must be a non-empty subset of {sorted(_ACCEPTED_ALGORITHMS)}")
    return value


class TrustedIssuer(BaseModel):
    """An external OpenID Connect issuer whose tokens are accepted beside the gateway's own.

    Its tokens must carry its `iss` exactly, the audience given here, and an `exp`, `iat` and
    `sub`. `claims` says where its tokens carry the platform's claims, as dotted paths: e.g.
    `{"roles": "realm_access.roles", "isil": "library_isil"}`; an unmapped claim is read under
    its own name. Roles outside the platform's role list are ignored.
    """

    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1)
    audience: str = DEFAULT_AUDIENCE
    # Empty: discovered as `jwks_uri` in <issuer>/.well-known/openid-configuration.
    jwks_url: str | None = None
    algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    claims: dict[MappedClaim, str] = Field(default_factory=dict)

    @field_validator("algorithms")
    @classmethod
    def _no_symmetric_or_none(cls, value: list[str]) -> list[str]:
        return _asymmetric_only(value)

    def discovery_url(self) -> str:
        # OpenID Connect Discovery 1.0 §4: the issuer with the well-known path appended.
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


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
    # Fetches of one key set are at least this far apart, also when tokens name unknown keys:
    # a stream of made-up kids must not turn into a stream of requests to the issuer.
    jwks_refresh_min_seconds: float = Field(default=10.0, ge=0)
    # External OpenID Connect issuers trusted beside the gateway; a token's `iss` picks one.
    trusted_issuers: list[TrustedIssuer] = Field(default_factory=list)

    @field_validator("algorithms")
    @classmethod
    def _no_symmetric_or_none(cls, value: list[str]) -> list[str]:
        return _asymmetric_only(value)

    @model_validator(mode="after")
    def _issuers_distinct(self) -> AuthSettings:
        names = [self.issuer, *(trusted.issuer for trusted in self.trusted_issuers)]
        if len(set(names)) != len(names):
            raise ValueError("every trusted issuer needs its own issuer URL, also unlike `issuer`")
        return self


class JobSettings(BaseModel):
    """How one process runs the service's background jobs (chassis.jobs)."""

    enabled: bool = True
    # How often an idle runner looks for due work; a job that names its next due time is woken
    # then, so this bounds only how late work that another replica or a request made due is seen.
    poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    # How long a claimed job is this process's alone. A crashed holder's work is taken over after
    # it; a run that outlasts it may be taken over too, and is then refused its commit.
    lease_seconds: float = Field(default=60.0, gt=0, le=86_400)
    # On shutdown a run in progress is waited for this long, then cancelled (and rolled back).
    stop_timeout_seconds: float = Field(default=10.0, ge=0, le=600)


class ServiceSettings(BaseSettings):
    """Base for every service's settings; a subclass sets the env prefix and its own defaults."""

    # Inputs stay out of validation errors: a refused database URL may carry its password.
    model_config = SettingsConfigDict(
        env_nested_delimiter="__", extra="ignore", validate_default=True, hide_input_in_errors=True
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
    # PostgreSQL only: connections kept per process (as many again may open under a burst).
    database_pool_size: int = Field(default=10, ge=1, le=200)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    # The request head (request line and headers), bounded by the server while it reads it
    # (chassis.server): past this size 431, and a head not complete within the timeout 408.
    max_header_bytes: int = Field(default=32_768, ge=1024, le=1_048_576)
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    # Idempotency-Key records are kept at least this long (a replay within it gets the first
    # response), then purged by the kit's job.
    idempotency_retention_hours: float = Field(default=24.0, gt=0, le=8784)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: SecretStr) -> SecretStr:
        # Checked at start-up: a URL naming a driver that is not installed fails here, in words,
        # instead of on the first request.
        raw = value.get_secret_value()
        return SecretStr(async_database_url(raw)) if raw else value

    def resolved_database_url(self) -> str:
        url = self.database_url.get_secret_value()
        if url:
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"

    def safe_dump(self) -> dict[str, object]:
        """Settings as they may be logged: every secret is masked."""
        return self.model_dump(mode="json")
