"""The token endpoint (OAuth2 client credentials, RFC 6749 §4.4) and the key set that verifies it."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote_plus

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from chassis.problems import problem_responses
from gateway.clients import SecretChecksBusy, client_scope, find_client
from gateway.runtime import gateway_runtime
from gateway.tokens import mint_token

log = structlog.get_logger("gateway.oauth")

FORM = "application/x-www-form-urlencoded"
GRANT_TYPE = "client_credentials"
# RFC 6749 §5.1: token responses (and their errors) must never be cached.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_FIELDS = 32
_PARAMETERS = ("grant_type", "client_id", "client_secret", "scope")

OAuthErrorCode = Literal[
    "invalid_request",
    "invalid_client",
    "unsupported_grant_type",
    "invalid_scope",
    # RFC 6749 names it for the authorization endpoint (§4.1.2.1); here with 503 and Retry-After.
    "temporarily_unavailable",
]


class TokenResponse(BaseModel):
    access_token: str = Field(description="A JWT (RS256) to send as `Authorization: Bearer ...`")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the token expires", examples=[900])


class OAuthError(BaseModel):
    """An error of the token endpoint, as RFC 6749 §5.2 defines it."""

    error: OAuthErrorCode
    error_description: str | None = None


class JsonWebKey(BaseModel):
    model_config = ConfigDict(extra="allow")

    kty: str = Field(examples=["RSA"])
    kid: str
    use: Literal["sig"]
    alg: str = Field(examples=["RS256"])
    n: str
    e: str = Field(examples=["AQAB"])


class JsonWebKeySet(BaseModel):
    keys: list[JsonWebKey]


class TokenRequestError(Exception):
    """A refused token request; `challenge`: HTTP authentication failed, so 401 with the scheme's
    challenge (RFC 6749 §5.2), else 400."""

    def __init__(
        self,
        error: OAuthErrorCode,
        description: str,
        *,
        challenge: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.challenge = challenge
        self.status = status or (401 if challenge else 400)

    def response(self) -> JSONResponse:
        headers = dict(NO_STORE)
        if self.challenge:
            headers["WWW-Authenticate"] = 'Basic realm="library-platform", charset="UTF-8"'
        if self.status == 503:
            headers["Retry-After"] = "1"
        return JSONResponse(
            {"error": self.error, "error_description": self.description},
            status_code=self.status,
            headers=headers,
        )


@dataclass(frozen=True)
class _Credentials:
    client_id: str
    client_secret: str
    by_header: bool


async def _form(request: Request) -> dict[str, str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM:
        raise TokenRequestError("invalid_request", f"The body must be {FORM}")
    try:
        pairs = parse_qsl(
            (await request.body()).decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            max_num_fields=_MAX_FIELDS,
        )
    except ValueError as exc:  # also UnicodeDecodeError
        raise TokenRequestError("invalid_request", "The body is not a valid form") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        # RFC 6749 §3.2: unrecognised parameters are ignored, known ones must not be repeated.
        if name not in _PARAMETERS:
            continue
        if name in form:
            raise TokenRequestError("invalid_request", f"The parameter {name} is repeated")
        form[name] = value
    return form


def _basic(header: str) -> tuple[str, str]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise TokenRequestError(
            "invalid_client", "Client authentication must use HTTP Basic", challenge=True
        )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise TokenRequestError(
            "invalid_client", "The Basic credentials are not valid base64", challenge=True
        ) from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise TokenRequestError(
            "invalid_client", "The Basic credentials need id:secret", challenge=True
        )
    # RFC 6749 §2.3.1: both are form-encoded before they are joined.
    return unquote_plus(client_id), unquote_plus(secret)


def _credentials(request: Request, form: dict[str, str]) -> _Credentials:
    header = request.headers.get("authorization")
    body_id, body_secret = form.get("client_id"), form.get("client_secret")
    if header is not None:
        client_id, secret = _basic(header)
        # RFC 6749 §2.3: one authentication method per request.
        if body_secret is not None or (body_id is not None and body_id != client_id):
            raise TokenRequestError(
                "invalid_request", "Authenticate either with HTTP Basic or in the body, not both"
            )
        return _Credentials(client_id, secret, by_header=True)
    if body_id is None and body_secret is None:
        raise TokenRequestError(
            "invalid_client",
            "Client authentication is required (HTTP Basic, or client_id and client_secret)",
            challenge=True,
        )
    if body_id is None:
        raise TokenRequestError("invalid_request", "client_secret was sent without client_id")
    if body_secret is None:
        raise TokenRequestError("invalid_client", "Only confidential clients: send client_secret")
    return _Credentials(body_id, body_secret, by_header=False)


router = APIRouter(tags=["auth"])

_TOKEN_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": [GRANT_TYPE]},
                    "client_id": {
                        "type": "string",
                        "description": "With client_secret, when HTTP Basic is not used",
                    },
                    "client_secret": {"type": "string", "format": "password"},
                    "scope": {
                        "type": "string",
                        "description": "Optional; when given, the client's role",
                    },
                },
            },
            "example": {"grant_type": GRANT_TYPE},
        }
    },
}


@router.post(
    "/auth/token",
    operation_id="issue_token",
    summary="Issue an access token to a registered API client",
    description=(
        "OAuth2 client credentials grant (RFC 6749 §4.4). The client authenticates with HTTP "
        "Basic or with client_id and client_secret in the form. The token carries the client's "
        "role and scope (county, vendor_id or isil)."
    ),
    response_model=TokenResponse,
    responses={
        400: {"model": OAuthError, "description": "RFC 6749 §5.2 error"},
        401: {"model": OAuthError, "description": "Client authentication failed (HTTP Basic)"},
        503: {
            "model": OAuthError,
            "description": "temporarily_unavailable: as many client secrets are being checked as "
            "the gateway allows at once; try again after Retry-After",
        },
        **problem_responses(413),
    },
    openapi_extra={
        "requestBody": _TOKEN_REQUEST_BODY,
        "security": [{"clientBasic": []}, {}],
    },
)
async def issue_token(request: Request) -> JSONResponse:
    try:
        body = await _issue(request)
    except TokenRequestError as exc:
        log.info("token_refused", error=exc.error, reason=exc.description)
        return exc.response()
    return JSONResponse(body, headers=NO_STORE)


async def _issue(request: Request) -> dict[str, Any]:
    form = await _form(request)
    grant_type = form.get("grant_type")
    if not grant_type:
        raise TokenRequestError("invalid_request", "grant_type is required")
    if grant_type != GRANT_TYPE:
        raise TokenRequestError(
            "unsupported_grant_type", f"Only grant_type={GRANT_TYPE} is supported"
        )
    credentials = _credentials(request, form)
    runtime = gateway_runtime(request.app)
    async with runtime.db.reader() as session:
        found = await find_client(session, credentials.client_id)
    try:
        client = await runtime.secrets.check(found, credentials.client_secret)
    except SecretChecksBusy as exc:
        raise TokenRequestError("temporarily_unavailable", str(exc), status=503) from exc
    if client is None:
        raise TokenRequestError(
            "invalid_client", "Unknown client or wrong secret", challenge=credentials.by_header
        )
    requested = set(form.get("scope", "").split())
    if requested - {client.role}:
        raise TokenRequestError(
            "invalid_scope", f"This client may only ask for the scope {client.role!r}"
        )
    ttl = runtime.settings.token_ttl_seconds
    token = mint_token(
        runtime.keys.signing_key,
        issuer=runtime.settings.issuer,
        audience=runtime.settings.audience,
        subject=client.client_id,
        role=client.role,
        scope=client_scope(client),
        ttl_seconds=ttl,
    )
    log.info("token_issued", client_id=client.client_id, role=client.role)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


@router.get(
    "/.well-known/jwks.json",
    operation_id="get_jwks",
    summary="The public keys that verify the gateway's tokens",
    description="A JSON Web Key Set (RFC 7517); the services verify bearer tokens with it.",
    response_model=JsonWebKeySet,
    responses=problem_responses(400),
    openapi_extra={"security": []},
)
async def get_jwks(request: Request) -> JSONResponse:
    runtime = gateway_runtime(request.app)
    max_age = runtime.settings.jwks_cache_seconds
    return JSONResponse(
        runtime.keys.jwks(), headers={"Cache-Control": f"public, max-age={max_age}"}
    )
