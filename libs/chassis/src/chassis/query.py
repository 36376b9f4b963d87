"""Unknown query parameters are refused by name, so a typo (`limt=5`) is never silently ignored."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel

from chassis.problems import FieldError, ProblemError


def _declared(dependant: Dependant) -> frozenset[str]:
    names: set[str] = set()
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            # A query-parameter model: its fields are the parameters.
            names |= {f.alias or n for n, f in model.model_fields.items()}
        else:
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _declared(sub)
    return frozenset(names)


_NAMES = "chassis_query_names"


def _route_query_names(route: Any) -> frozenset[str] | None:
    # A route's dependency tree is fixed once the app is built: walked once, kept on the route.
    known: frozenset[str] | None = getattr(route, _NAMES, None)
    if known is not None:
        return known
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    names = _declared(dependant)
    setattr(route, _NAMES, names)
    return names


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
