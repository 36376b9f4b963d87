"""Bearer-token verification: the gateway's and trusted issuers' key sets, exp, iss, aud, an algorithm allow-list."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

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
FETCH_TIMEOUT_SECONDS = 5.0
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

    @property
    def identity(self) -> str:
        """Who this is and on whose behalf, as one key: issuer, subject, roles and scope
        (county, vendor, library, client), hashed. Records kept per caller (idempotency keys)
        use it: two tokens with one subject but another issuer or scope are two callers."""
        parts = [
            self.claims.get("iss"),
            self.subject,
            sorted(self.roles),
            self.county,
            self.vendor_id,
            self.isil,
            self.client_id,
        ]
        encoded = json.dumps(parts, separators=(",", ":"), default=str).encode()
        return hashlib.sha256(encoded).hexdigest()


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
        # A header value is ASCII: whatever of the token a description quotes is escaped.
        desc = self.description.replace('"', "'").encode("ascii", "backslashreplace").decode()
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


class KeySource(Protocol):
    """Where the verification keys of one issuer come from."""

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key named `kid`, or AuthError when the issuer has none by that name."""
        ...

    def knows(self, kid: str) -> bool:
        """Whether `kid` is among the keys held now (no fetching)."""
        ...


class KeySet:
    """One issuer's public keys: given inline, or fetched from its JWKS URL (or the `jwks_uri` of
    its discovery document) and fetched again when stale or when a token names an unknown kid."""

    def __init__(
        self,
        http: httpx.AsyncClient | None,
        *,
        jwks_url: str | None,
        discovery_url: str | None = None,
        issuer: str | None = None,
        cache_seconds: float = 300.0,
        refresh_min_seconds: float = JWKS_REFRESH_MIN_SECONDS,
    ) -> None:
        self._http = http
        self._jwks_url = jwks_url
        self._discovery_url = discovery_url
        self._issuer = issuer
        self._cache_seconds = cache_seconds
        self._refresh_min_seconds = refresh_min_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        # One fetch at a time: requests that arrive meanwhile wait for its result instead of
        # finding the attempt "too recent" and refusing a token that the fetch would have let in.
        self._lock = asyncio.Lock()

    @classmethod
    def inline(cls, document: dict[str, Any]) -> KeySet:
        """A fixed key set, never fetched."""
        keys = cls(None, jwks_url=None, cache_seconds=math.inf)
        keys._load(document)
        return keys

    def _load(self, document: Any) -> None:
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError("a JWKS document is an object with a list of keys")
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in document["keys"]:
            kid = jwk.get("kid") if isinstance(jwk, dict) else None
            if not isinstance(kid, str) or not kid or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[kid] = jwt.PyJWK.from_dict(jwk)
            except jwt.PyJWTError as exc:
                log.warning("jwks_key_skipped", kid=kid, reason=str(exc))
        self._keys = keys

    async def _discovered_jwks_url(self, http: httpx.AsyncClient) -> str:
        if self._jwks_url is not None:
            return self._jwks_url
        if self._discovery_url is None:
            raise ValueError("neither a JWKS URL nor a discovery URL is configured")
        response = await http.get(self._discovery_url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
        # OpenID Connect Discovery §4.3: the document must name exactly the configured issuer,
        # else a document from elsewhere could hand over the keys of another issuer.
        if not isinstance(document, dict) or document.get("issuer") != self._issuer:
            raise ValueError(f"the discovery document does not name the issuer {self._issuer}")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise ValueError("the discovery document names no jwks_uri")
        self._jwks_url = jwks_uri
        return jwks_uri

    async def _fetch(self, http: httpx.AsyncClient) -> None:
        url = None
        try:
            url = await self._discovered_jwks_url(http)
            response = await http.get(url, timeout=FETCH_TIMEOUT_SECONDS)
            response.raise_for_status()
            self._load(response.json())
            self._fetched_at = time.monotonic()
        except (httpx.HTTPError, ValueError) as exc:
            # The keys held stay in use: an issuer that is briefly unreachable must not take
            # every service's authentication down with it.
            log.warning(
                "jwks_fetch_failed", url=url or self._discovery_url, reason=str(exc) or repr(exc)
            )
            if self._discovery_url is not None:
                self._jwks_url = None  # discover again next time: the issuer may have moved it

    def _current(self, kid: str) -> bool:
        return kid in self._keys and time.monotonic() - self._fetched_at <= self._cache_seconds

    async def key(self, kid: str) -> jwt.PyJWK:
        if not self._current(kid) and self._http is not None:
            async with self._lock:
                now = time.monotonic()
                if not self._current(kid) and now - self._attempted_at >= self._refresh_min_seconds:
                    self._attempted_at = now
                    await self._fetch(self._http)
        found = self._keys.get(kid)
        if found is None:
            raise AuthError("invalid_token", "The token was signed with an unknown key")
        return found

    def knows(self, kid: str) -> bool:
        return kid in self._keys


@dataclass(frozen=True)
class _Trust:
    """What a token from one issuer must satisfy, and where its keys and claims are."""

    issuer: str
    audience: str
    algorithms: frozenset[str]
    keys: KeySource
    claims: Mapping[str, str]


def _at_path(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _mapped(claims: dict[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """The claims with each mapped platform claim taken from where the issuer puts it."""
    if not mapping:
        return claims
    out = dict(claims)
    for name, path in mapping.items():
        value = _at_path(claims, path)
        # OAuth scopes and some issuers' role claims are one space-separated string.
        if name == "roles" and isinstance(value, str):
            value = value.split()
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def _unverified_issuer(token: str) -> Any:
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise AuthError("invalid_token", "The token is not a well-formed JWT") from exc
    return payload.get("iss")


class TokenVerifier:
    """Verifies bearer tokens from the gateway and from the trusted external issuers: the token's
    `iss` picks the issuer, and with it the keys, audience, algorithms and claim mapping. A small
    cache spares repeated signature checks of the same token."""

    def __init__(
        self,
        settings: AuthSettings,
        http: httpx.AsyncClient | None = None,
        *,
        own_keys: KeySource | None = None,
    ) -> None:
        """`own_keys`: the primary issuer's keys from elsewhere (the gateway's, in process)
        instead of from `settings.jwks_json` or `settings.jwks_url`."""
        if own_keys is None:
            if settings.jwks_json is not None:
                own_keys = KeySet.inline(json.loads(settings.jwks_json.get_secret_value()))
            else:
                own_keys = KeySet(
                    http,
                    jwks_url=settings.jwks_url,
                    cache_seconds=settings.jwks_cache_seconds,
                    refresh_min_seconds=settings.jwks_refresh_min_seconds,
                )
        self._leeway = settings.leeway_seconds
        self._trusted: dict[str, _Trust] = {
            settings.issuer: _Trust(
                settings.issuer, settings.audience, frozenset(settings.algorithms), own_keys, {}
            )
        }
        for trusted in settings.trusted_issuers:
            keys = KeySet(
                http,
                jwks_url=trusted.jwks_url,
                discovery_url=trusted.discovery_url(),
                issuer=trusted.issuer,
                cache_seconds=settings.jwks_cache_seconds,
                refresh_min_seconds=settings.jwks_refresh_min_seconds,
            )
            self._trusted[trusted.issuer] = _Trust(
                trusted.issuer,
                trusted.audience,
                frozenset(trusted.algorithms),
                keys,
                {str(name): path for name, path in trusted.claims.items()},
            )
        self._verified: OrderedDict[str, tuple[Principal, float, KeySource, str]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        # A key dropped from its set takes the tokens it signed with it, also those verified before.
        if cached is not None and cached[1] > time.time() and cached[2].knows(cached[3]):
            return cached[0]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("invalid_token", "The token is not a well-formed JWT") from exc
        issuer = _unverified_issuer(token)
        trust = self._trusted.get(issuer) if isinstance(issuer, str) else None
        if trust is None:
            raise AuthError("invalid_token", "The token is from an untrusted issuer")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in trust.algorithms:
            raise AuthError(
                "invalid_token",
                f"The token's algorithm is not one of {', '.join(sorted(trust.algorithms))}",
            )
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise AuthError("invalid_token", "The token names no key (kid)")
        key = await trust.keys.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=trust.audience,
                issuer=trust.issuer,
                leeway=self._leeway,
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
        principal = principal_from_claims(_mapped(claims, trust.claims))
        self._remember(token, (principal, float(claims["exp"]), trust.keys, kid))
        return principal

    def _remember(self, token: str, entry: tuple[Principal, float, KeySource, str]) -> None:
        self._verified[token] = entry
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
