"""Whether the vendor or library a client's scope names exists: asked of the catalogue, which
keeps both, at registration (docs/decisions/0048-onboarding-asks-the-catalogue.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import quote

import httpx
import structlog

from gateway.clients import ClientError
from gateway.keys.signing_key import SigningKey
from gateway.scopes import Scope
from gateway.settings import GatewaySettings
from gateway.tokens import mint_token

log = structlog.get_logger("gateway.directory")

# The gateway's own credential towards the catalogue: a token it signs for itself, good for
# one minute, with the one role that may read any vendor.
SERVICE_SUBJECT = "gateway"
SERVICE_ROLE = "programme_admin"
SERVICE_TOKEN_TTL_SECONDS = 60


class UnknownScope(ClientError):
    """The scope names a vendor or library the catalogue does not know."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class DirectoryUnavailable(Exception):
    """The catalogue could not say whether the vendor or library exists."""


def service_token(settings: GatewaySettings, key: SigningKey) -> str:
    return mint_token(
        key,
        issuer=settings.issuer,
        audience=settings.audience,
        subject=SERVICE_SUBJECT,
        role=SERVICE_ROLE,
        scope=Scope(),
        ttl_seconds=SERVICE_TOKEN_TTL_SECONDS,
    )


@dataclass(frozen=True)
class CatalogueDirectory:
    """The catalogue's vendors and libraries, read over HTTP with the gateway's own token."""

    base_url: str
    http: httpx.AsyncClient
    token: Callable[[], str]
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(5.0))

    @classmethod
    def of(
        cls, settings: GatewaySettings, http: httpx.AsyncClient, key: Callable[[], SigningKey]
    ) -> CatalogueDirectory:
        return cls(
            base_url=settings.upstream_urls()["catalogue"],
            http=http,
            token=lambda: service_token(settings, key()),
            # As the proxy's calls to the catalogue: a loaded catalogue is not a missing vendor.
            timeout=httpx.Timeout(
                settings.upstream_read_timeout_seconds,
                connect=settings.upstream_connect_timeout_seconds,
            ),
        )

    async def confirmed(self, scope: Scope) -> Scope:
        """`scope` as the catalogue knows it (an ISIL in the catalogue's spelling); UnknownScope
        when its vendor or library does not exist, DirectoryUnavailable when that cannot be told.
        A county is a number whose shape was checked (scopes.py); nothing else to ask."""
        if scope.vendor_id is not None:
            found = await self._read(f"/v1/vendors/{scope.vendor_id}")
            if found is None:
                raise UnknownScope("vendor_id", f"the catalogue has no vendor {scope.vendor_id}")
            return replace(scope, vendor_id=uuid.UUID(str(found["id"])))
        if scope.isil is not None:
            found = await self._read(f"/v1/libraries/{quote(scope.isil, safe='')}")
            if found is None:
                raise UnknownScope("isil", f"the catalogue has no library {scope.isil}")
            return replace(scope, isil=str(found["isil"]))
        return scope

    async def _read(self, path: str) -> dict[str, object] | None:
        try:
            answer = await self.http.get(
                f"{self.base_url}{path}",
                headers={"Authorization": f"Bearer {self.token()}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            log.warning("directory_unreachable", path=path, error=type(exc).__name__)
            raise DirectoryUnavailable(
                f"the catalogue could not be asked ({type(exc).__name__})"
            ) from exc
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            log.warning("directory_refused", path=path, status=answer.status_code)
            raise DirectoryUnavailable(f"the catalogue answered {answer.status_code}")
        try:
            body = answer.json()
        except ValueError as exc:
            raise DirectoryUnavailable("the catalogue's answer is not JSON") from exc
        if not isinstance(body, dict):
            raise DirectoryUnavailable("the catalogue's answer is not an object")
        return body
