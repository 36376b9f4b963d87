"""Bearer-token verification: signature against the issuer's JWKS, exp, iss, aud, an algorithm allow-list."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import structlog

from chassis.settings import AuthSettings

log = structlog.get_logger("chassis.auth")

ROLES = frozenset(
    {
        "programme_admin",
        "county_admin",
        "vendor",
        "library",
        "staff",
        "trainer",
        "agent",
        "analyst",
        "partner",
        "operator",
    }
)

REALM = "library-platform"
JWKS_REFRESH_MIN_SECONDS = 10.0
VERIFIED_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Principal:
    """Who is calling, with what roles, narrowed by which scope."""

    subject: str
    roles: frozenset[str]
    county: str | None = None
    vendor_id: str | None = None
    isil: str | None = None
    client_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def has_any(self, roles: frozenset[str]) -> bool:
        return not self.roles.isdisjoint(roles)


class AuthError(Exception):
    """A token that cannot be trusted; rendered as 401 (or 400 for a malformed header)."""

    def __init__(self, error: str, description: str, *, status: int = 401) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def www_authenticate(self) -> str:
        if self.error == "missing":
            return f'Bearer realm="{REALM}"'
        desc = self.description.replace('"', "'")
        return f'Bearer realm="{REALM}", error="{self.error}", error_description="{desc}"'


def bearer_token(authorization: str | None) -> str:
    """The token from an Authorization header, or AuthError saying what is wrong with it."""
    if not authorization:
        raise AuthError("missing", "An Authorization: Bearer token is required")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthError(
            "invalid_request",
            "The Authorization header must be 'Bearer <token>'",
            status=400,
        )
    return token


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise AuthError("invalid_token", "The roles claim must be a list of strings")

    def scope(name: str) -> str | None:
        value = claims.get(name)
        return None if value is None else str(value)

    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(r for r in roles if r in ROLES),
        county=scope("county"),
        vendor_id=scope("vendor_id"),
        isil=scope("isil"),
        client_id=scope("client_id"),
        claims=claims,
    )


class KeySet:
    """The issuer's public keys, fetched from its JWKS URL (or given inline) and refreshed on an unknown kid."""

    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient | None) -> None:
        self._settings = settings
        self._http = http
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        if settings.jwks_json is not None:
            self._load(json.loads(settings.jwks_json.get_secret_value()))
            self._fetched_at = float("inf")

    def _load(self, document: dict[str, Any]) -> None:
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in document.get("keys", []):
            kid = jwk.get("kid")
            if not kid or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[kid] = jwt.PyJWK.from_dict(jwk)
            except jwt.PyJWTError as exc:
                log.warning("jwks_key_skipped", kid=kid, reason=str(exc))
        self._keys = keys

    async def _refresh(self) -> None:
        if self._http is None:
            return
        now = time.monotonic()
        if now - self._fetched_at < JWKS_REFRESH_MIN_SECONDS:
            return
        self._fetched_at = now
        try:
            response = await self._http.get(self._settings.jwks_url, timeout=5.0)
            response.raise_for_status()
            self._load(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("jwks_fetch_failed", url=self._settings.jwks_url, reason=str(exc))

    async def key(self, kid: str) -> jwt.PyJWK:
        stale = time.monotonic() - self._fetched_at > self._settings.jwks_cache_seconds
        if kid not in self._keys or stale:
            await self._refresh()
        if kid not in self._keys:
            raise AuthError("invalid_token", "The token was signed with an unknown key")
        return self._keys[kid]


class TokenVerifier:
    """Verifies bearer tokens; a small cache spares repeated signature checks of the same token."""

    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient | None = None) -> None:
        self._settings = settings
        self._keys = KeySet(settings, http)
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("invalid_token", "The token is not a well-formed JWT") from exc
        alg = header.get("alg")
        if alg not in self._settings.algorithms:
            raise AuthError("invalid_token", f"The token's algorithm {alg!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise AuthError("invalid_token", "The token names no key (kid)")
        key = await self._keys.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("invalid_token", "The token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError("invalid_token", "The token is for another audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError("invalid_token", "The token is from an untrusted issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthError("invalid_token", "The token's signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise AuthError("invalid_token", f"The token is not valid: {exc}") from exc
        principal = principal_from_claims(claims)
        self._remember(token, principal, float(claims["exp"]))
        return principal

    def _remember(self, token: str, principal: Principal, exp: float) -> None:
        self._verified[token] = (principal, exp)
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
