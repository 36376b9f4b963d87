"""Request parameters: unknown query parameters refused by name, so a typo (`limt=5`) is never
silently ignored; a route's query model and optional headers read by the kit rather than by
FastAPI's per-request handling of each parameter; headers a dependency reads itself declared
for the contract."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, request_response
from pydantic import BaseModel, ValidationError

from chassis.problems import FieldError, Invalid, ProblemError


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
    if b"%00" in request.scope.get("query_string", b""):
        _refuse_nul(request)
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        raise ProblemError(
            400,
            "unknown-query-parameter",
            f"Unknown query parameter(s): {', '.join(repr(n) for n in unknown)}; "
            f"this operation takes {', '.join(sorted(declared)) or 'none'}",
            errors=_query_errors(unknown, "not a parameter of this operation", "unknown_parameter"),
        )


def _refuse_nul(request: Request) -> None:
    named = sorted({n for n, v in request.query_params.multi_items() if "\x00" in n + v})
    if named:
        raise Invalid(
            f"A NUL character (U+0000) in the query: {', '.join(repr(n) for n in named)}",
            errors=_query_errors(
                named, "may not contain a NUL character (U+0000)", "nul_character"
            ),
        )


def _query_errors(names: list[str], message: str, kind: str) -> list[FieldError]:
    """One field error per named query parameter."""
    return [
        FieldError(location=f"query.{n}", pointer="", message=message, type=kind) for n in names
    ]


# ---------------------------------------------------------------- parameters read directly


def read_parameters_directly(app: FastAPI) -> None:
    """Every route's query model (`page: Annotated[CountyQuery, Query()]`) and optional text
    headers (`if_none_match: Annotated[str | None, Header()] = None`) read by the kit, once,
    instead of by FastAPI's per-request, per-field handling (docs/decisions/0020): 2 µs against
    22 for a three-field query model, a header ~15 µs.

    The route's declared dependant is left as it is: the contract, the unknown-parameter check
    and `dependency_overrides` see the same parameters. Only the handler that serves requests is
    built from a copy without them, whose endpoint reads them first. A query value that does not
    validate is the same `RequestValidationError` FastAPI raises (`query.limit` …), so the same
    422 problem. Parameters of any other kind, and those of sub-dependencies, stay FastAPI's."""
    for route in app.router.routes:
        if isinstance(route, APIRoute):
            _read_parameters_directly(route)


_REQUEST = "_chassis_request"


def _query_model(declared: Dependant) -> tuple[str, type[BaseModel]] | None:
    if len(declared.query_params) != 1:
        return None
    field = declared.query_params[0]
    model = field.field_info.annotation
    if isinstance(model, type) and issubclass(model, BaseModel):
        return field.name, model
    return None


def _optional_text_headers(declared: Dependant) -> list[tuple[str, str]] | None:
    """(argument, header name) of each header parameter, when every one is an optional string
    without constraints: what FastAPI passes for those is `headers.get(name)`, nothing more."""
    found = []
    for field in declared.header_params:
        info = field.field_info
        if info.annotation != (str | None) or info.default is not None or info.metadata:
            return None
        name = field.alias
        if name == field.name and getattr(info, "convert_underscores", True):
            name = name.replace("_", "-")
        found.append((field.name, name))
    return found


def _read_parameters_directly(route: APIRoute) -> None:
    declared = route.dependant
    query = _query_model(declared)
    headers = _optional_text_headers(declared)
    if query is None and not headers:
        return
    if (declared.query_params and query is None) or (declared.header_params and headers is None):
        # Some of the route's parameters would stay with FastAPI: leave them all there.
        return
    endpoint = declared.call
    assert endpoint is not None
    parse = query_model_reader(query[1]) if query is not None else None
    argument = query[0] if query is not None else ""
    wanted = headers or []
    request_name = declared.request_param_name or _REQUEST
    keeps_request = declared.request_param_name is not None

    @functools.wraps(endpoint)
    async def call(**values: Any) -> Any:
        request: Request = values[request_name] if keeps_request else values.pop(request_name)
        if parse is not None:
            values[argument] = parse(request)
        if wanted:
            given = request.headers
            for name, header in wanted:
                values[name] = given.get(header)
        return await endpoint(**values)

    served = dataclasses.replace(
        declared, query_params=[], header_params=[], call=call, request_param_name=request_name
    )
    # APIRoute builds its handler from `self.dependant`; build it from the served copy, then
    # put the declared one back for the contract and the unknown-parameter check.
    route.dependant = served
    try:
        route.app = request_response(route.get_route_handler())
    finally:
        route.dependant = declared


def query_model_reader(model: type[BaseModel]) -> Callable[[Request], Any]:
    """A function reading `model` from a request's query string, as FastAPI reads a query
    model: a list-typed field takes every value given, any other the last one; a field absent
    takes its default; errors are located at `query.<name>`."""
    fields = [
        (info.alias or name, field_annotation_is_sequence(info.annotation))  # type: ignore[arg-type]
        for name, info in model.model_fields.items()
    ]
    validate = model.model_validate

    def parse(request: Request) -> Any:
        query = request.query_params
        given: dict[str, Any] = {}
        for alias, many in fields:
            if alias in query:
                given[alias] = query.getlist(alias) if many else query[alias]
        try:
            return validate(given)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
            ) from None

    return parse


# ---------------------------------------------------------------- headers a dependency reads


@dataclass(frozen=True)
class DocumentedHeader:
    """An optional request header a dependency reads from the request itself, as the contract
    shows it."""

    name: str
    description: str
    examples: tuple[str, ...] = ()

    def parameter(self) -> dict[str, Any]:
        """The OpenAPI parameter object, as FastAPI writes one for `str | None` in a header."""
        schema: dict[str, Any] = {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": self.description,
            "title": self.name,
        }
        if self.examples:
            schema["examples"] = list(self.examples)
        return {
            "description": self.description,
            "in": "header",
            "name": self.name,
            "required": False,
            "schema": schema,
        }


_HEADERS = "__chassis_headers__"
Call = TypeVar("Call", bound=Callable[..., Any])


def reads_headers(*headers: DocumentedHeader) -> Callable[[Call], Call]:
    """Mark a dependency that reads these headers from `request.headers` itself: the contract
    lists them on every operation whose dependencies include it (`declared_headers`).

    For the kit's conditional and idempotent requests: a `Header` parameter in a dependency
    costs ~25 µs a request of FastAPI's handling (docs/decisions/0020), a header read from the
    request nothing."""

    def mark(call: Call) -> Call:
        setattr(call, _HEADERS, headers)
        return call

    return mark


def declared_headers(dependant: Dependant) -> Iterator[DocumentedHeader]:
    """The headers `reads_headers` marked on the dependencies of `dependant`, in order."""
    for sub in dependant.dependencies:
        call = sub.call
        # A function, or an instance whose class's __call__ was marked (IdempotencyKeys).
        marked = getattr(call, _HEADERS, None) or getattr(type(call).__call__, _HEADERS, None)
        yield from marked or ()
        yield from declared_headers(sub)
