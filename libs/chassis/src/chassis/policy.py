"""Authorization at request time: the current operation's rule applied to the verified caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chassis.auth import AuthError, Principal, bearer_token
from chassis.problems import ProblemError
from chassis.rules import Policy, Rule, allow, operation_id_of, public
from chassis.runtime import get_runtime

__all__ = [
    "OptionalPrincipalDep",
    "Policy",
    "PrincipalDep",
    "Rule",
    "allow",
    "auth_problem",
    "authorize",
    "operation_id_of",
    "public",
]


def _operation_id(request: Request) -> str:
    found = operation_id_of(request.scope.get("route"))
    if found is None:
        raise ProblemError(403, "no-policy", "This operation has no authorization policy")
    return found


def auth_problem(exc: AuthError) -> ProblemError:
    """A token that cannot be trusted as a problem: 401 (400 for a malformed header), with the
    WWW-Authenticate challenge."""
    return ProblemError(
        exc.status,
        "invalid-token" if exc.status == 401 else "malformed-authorization",
        exc.description,
        headers={"WWW-Authenticate": exc.www_authenticate()},
    )


async def authorize(request: Request) -> Principal | None:
    """Look up the current operation's rule; verify the bearer token; refuse roles without the right.

    An operation missing from the policy is refused (fail closed); the policy test makes that a
    failing test rather than a surprise in production.
    """
    runtime = get_runtime(request)
    rule = runtime.policy.get(_operation_id(request))
    if rule is None:
        raise ProblemError(403, "no-policy", "This operation has no authorization policy")
    header = request.headers.get("authorization")
    if rule.public and not header:
        return None
    try:
        principal = await runtime.verifier.verify(bearer_token(header))
    except AuthError as exc:
        raise auth_problem(exc) from exc
    if not rule.public and not principal.has_any(rule.roles):
        raise ProblemError(
            403,
            "forbidden",
            f"This operation needs one of the roles: {', '.join(sorted(rule.roles))}",
        )
    request.state.principal = principal
    return principal


async def _required_principal(request: Request) -> Principal:
    # `authorize` runs first on every /v1 route (build_app puts it in the routers' dependencies,
    # which FastAPI solves before the route's own) and keeps the verified caller on the request:
    # read from there, not through Depends(authorize), whose whole sub-tree FastAPI would solve
    # again for every route parameter that asks for the caller, cached result or not.
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        principal = await authorize(request)
    if principal is None:
        raise ProblemError(401, "invalid-token", "An Authorization: Bearer token is required")
    return principal


# Every /v1 router runs `authorize` (build_app adds it); a route asks for the caller with this,
# which reuses that same check's result.
PrincipalDep = Annotated[Principal, Depends(_required_principal)]


async def _principal_if_any(request: Request) -> Principal | None:
    # On a public route `authorize` has verified a token if one came, and kept its caller.
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


# On a public route: the verified caller when a token came with the request, else None.
OptionalPrincipalDep = Annotated[Principal | None, Depends(_principal_if_any)]
