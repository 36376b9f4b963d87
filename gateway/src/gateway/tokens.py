"""Access tokens: the claims the platform's services expect, signed with the gateway's key."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from gateway.keys.signing_key import ALGORITHM, SigningKey
from gateway.scopes import Scope


def mint_token(
    key: SigningKey,
    *,
    issuer: str,
    audience: str,
    subject: str,
    role: str,
    scope: Scope,
    ttl_seconds: int,
    now: float | None = None,
) -> str:
    """A signed JWT for one principal: iss, aud, sub, client_id, iat, exp, jti, roles, its scope."""
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        # RFC 9068's name for the client the token was issued to; services read it as client_id.
        "client_id": subject,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "roles": [role],
        **scope.claims(),
    }
    return jwt.encode(
        claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"}
    )
