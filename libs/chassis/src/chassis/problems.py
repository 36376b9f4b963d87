"""RFC 9457 problem details: one exception type with typed kinds, one renderer, and handlers for
the framework's own errors."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:library-platform:problem:"
VALIDATION_TITLE = "The request is not valid"

log = structlog.get_logger("chassis.problems")


class FieldError(BaseModel):
    """One reason a request was refused, pointing at the part of the request that caused it."""

    model_config = ConfigDict(extra="forbid")

    location: str = Field(
        description="Where: body, query, path, header or cookie, then the field path"
    )
    pointer: str = Field(description="JSON Pointer (RFC 6901) into the request part")
    message: str
    type: str


class Problem(BaseModel):
    """An error response as RFC 9457 defines it."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[f"{TYPE_PREFIX}validation-error"])
    title: str = Field(examples=["The request is not valid"])
    status: int = Field(examples=[422])
    detail: str | None = Field(default=None, examples=["body.name: Field required"])
    instance: str | None = Field(default=None, examples=["/v1/events"])
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raised anywhere below a route; rendered as problem+json with its status."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.type = f"{TYPE_PREFIX}{slug}"
        self.title = title or HTTPStatus(status).phrase
        self.detail = detail
        self.headers = headers or {}
        self.errors = errors
        self.extra = extra or {}


class TypedProblem(ProblemError):
    """A kind of problem whose status, type and title are fixed by its class.

    Services subclass the kinds below once per slug they use (`class ProductRetired(Conflict):
    slug = "product-retired"`), so routes and rules raise a name and never spell a slug.
    """

    status_code: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    default_title: ClassVar[str | None] = None

    def __init__(
        self,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        errors: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            self.status_code,
            self.slug,
            detail,
            title=self.default_title,
            headers=headers,
            errors=errors,
            extra=extra,
        )


class BadRequest(TypedProblem):
    status_code = 400
    slug = "bad-request"


class Forbidden(TypedProblem):
    status_code = 403
    slug = "forbidden"


class NotFound(TypedProblem):
    status_code = 404
    slug = "not-found"


class Conflict(TypedProblem):
    status_code = 409
    slug = "conflict"


class PreconditionFailed(TypedProblem):
    status_code = 412
    slug = "stale-version"


class Unprocessable(TypedProblem):
    status_code = 422
    slug = "unprocessable"


class Invalid(TypedProblem):
    """422 validation-error: what a schema would say had it known the rule (several fields may be
    named in `errors`), so a client handles both the same way."""

    status_code = 422
    slug = "validation-error"
    default_title = VALIDATION_TITLE


class PreconditionRequired(TypedProblem):
    status_code = 428
    slug = "precondition-required"


def body_field_error(field: str, message: str, kind: str) -> FieldError:
    """The field error of one body field; `field` is a dotted path ("procurement.sushi_url",
    "libraries.2"), shaped like the framework's own validation errors."""
    parts = field.split(".")
    pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
    return FieldError(location=f"body.{field}", pointer=pointer, message=message, type=kind)


class FieldProblem(TypedProblem):
    """A problem about body fields, for rules checked below the schema (unknown references,
    duplicates, scope). Combine with a status kind: `class DuplicateIsil(FieldProblem, Conflict)`.
    The field errors' type is the slug unless `kind` says otherwise."""

    def __init__(
        self,
        field: str,
        message: str,
        *,
        kind: str | None = None,
        detail: str | None = None,
        more: list[FieldError] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            detail or self.describe(field, message),
            errors=[body_field_error(field, message, kind or self.slug), *(more or [])],
            extra=extra,
        )

    @classmethod
    def describe(cls, field: str, message: str) -> str:
        return f"{field}: {message}"


class InvalidField(FieldProblem, Invalid):
    """422 validation-error naming one body field, its detail worded like the framework's."""

    @classmethod
    def describe(cls, field: str, message: str) -> str:
        return f"body.{field}: {message}"


def problem_response(
    request: Request | None,
    status: int,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if request is not None:
        body["instance"] = request.url.path
    if errors is not None:
        body["errors"] = [e.model_dump() for e in errors]
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _pointer(loc: tuple[int | str, ...]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc[1:]]
    return "/" + "/".join(parts) if parts else ""


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        out.append(
            FieldError(
                location=".".join(str(p) for p in loc) or "body",
                pointer=_pointer(loc),
                message=str(err.get("msg", "invalid")),
                type=str(err.get("type", "invalid")),
            )
        )
    return out


def render_problem(request: Request | None, exc: ProblemError) -> JSONResponse:
    """The response for a ProblemError: what the handler sends, usable from pure ASGI code too."""
    return problem_response(
        request,
        exc.status,
        type_=exc.type,
        title=exc.title,
        detail=exc.detail,
        headers=exc.headers,
        errors=exc.errors,
        extra=exc.extra,
    )


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return render_problem(request, exc)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No resource at {request.url.path}"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(request, exc.status_code, detail=detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    # Starlette names only the first route that matched the path; Allow must list them all.
    return [
        method
        for method in ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc)
    if any(e.type == "json_invalid" for e in errors):
        bad = next(e for e in errors if e.type == "json_invalid")
        return problem_response(
            request,
            400,
            type_=f"{TYPE_PREFIX}malformed-json",
            title="The body is not valid JSON",
            detail=bad.message,
            errors=errors,
        )
    summary = "; ".join(f"{e.location}: {e.message}" for e in errors[:5])
    return problem_response(
        request,
        422,
        type_=f"{TYPE_PREFIX}validation-error",
        title=VALIDATION_TITLE,
        detail=summary,
        errors=errors,
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", path=request.url.path)
    return problem_response(
        request, 500, detail="An unexpected error occurred; it has been logged."
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(Exception, _on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry that declares these error statuses with the problem schema."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
