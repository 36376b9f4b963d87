"""Unknown query parameters are refused by name, so a typo (`limt=5`) is never silently ignored."""

from __future__ import annotations

import weakref
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant

from chassis.problems import FieldError, ProblemError

# Keyed by the route itself, weakly: an id() could be reused by a later route once an app is gone.
_declared_by_route: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()


def _declared(dependant: Dependant) -> frozenset[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return frozenset(names)


def _route_query_names(route: Any) -> frozenset[str] | None:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    if route not in _declared_by_route:
        _declared_by_route[route] = _declared(dependant)
    return _declared_by_route[route]


async def reject_unknown_query(request: Request) -> None:
    declared = _route_query_names(request.scope.get("route"))
    if declared is None:
        return
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        raise ProblemError(
            400,
            "unknown-query-parameter",
            f"Unknown query parameter(s): {', '.join(repr(n) for n in unknown)}; "
            f"this operation takes {', '.join(sorted(declared)) or 'none'}",
            errors=[
                FieldError(
                    location=f"query.{n}",
                    pointer="",
                    message="not a parameter of this operation",
                    type="unknown_parameter",
                )
                for n in unknown
            ],
        )
