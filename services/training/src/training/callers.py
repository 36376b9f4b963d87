"""The caller of a public operation, when it sent a token (the kit's `authorize` verified it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chassis.auth import Principal


async def _optional_principal(request: Request) -> Principal | None:
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


# On a public route: the verified caller when a token came with the request, else None.
OptionalPrincipalDep = Annotated[Principal | None, Depends(_optional_principal)]
