"""Authorization policy: per operation, which roles may call it and how the caller's scope narrows it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from chassis.auth import AuthError, Principal, bearer_token
from chassis.problems import ProblemError


@dataclass(frozen=True)
class Rule:
    """Who may call one operation. `scope` says, for readers and reviewers, how the query is narrowed."""

    roles: frozenset[str]
    scope: str
    public: bool = False


def allow(*roles: str, scope: str) -> Rule:
    from chassis.auth import ROLES

    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown roles in policy: {sorted(unknown)}")
    return Rule(roles=frozenset(roles), scope=scope)


def public(scope: str = "none: anyone may read it") -> Rule:
    return Rule(roles=frozenset(), scope=scope, public=True)


Policy = Mapping[str, Rule]


def operation_id_of(route: object) -> str | None:
    """The operationId the contract shows for a route: its explicit one, else its function name."""
    explicit = getattr(route, "operation_id", None)
    name = explicit or getattr(route, "name", None)
    return name if isinstance(name, str) else None


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
    from chassis.runtime import get_runtime

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


async def _required_principal(
    principal: Annotated[Principal | None, Depends(authorize)],
) -> Principal:
    if principal is None:
        raise ProblemError(401, "invalid-token", "An Authorization: Bearer token is required")
    return principal


# Every /v1 router runs `authorize` (build_app adds it); a route asks for the caller with this,
# which reuses that same check's result.
PrincipalDep = Annotated[Principal, Depends(_required_principal)]
