"""Authorization policy as data: per operation, which roles may call it and how the caller's scope
narrows it (read by the request-time check in chassis.policy and by the contract and its tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chassis.auth import ROLES


@dataclass(frozen=True)
class Rule:
    """Who may call one operation. `scope` says, for readers and reviewers, how the query is narrowed."""

    roles: frozenset[str]
    scope: str
    public: bool = False


def allow(*roles: str, scope: str) -> Rule:
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
